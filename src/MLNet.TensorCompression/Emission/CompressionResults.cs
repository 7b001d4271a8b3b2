using System.Globalization;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Emission;

/// <summary>Assembles the result of a compression: the compressed model with its report, also stored in the model's metadata.</summary>
internal static class CompressionResults
{
    /// <summary>Above this relative weight error a data-free layer has lost most of what it computed (measured on the samples: chance-level accuracy).</summary>
    private const double DataFreeWarningError = 0.5;

    /// <summary>Writes the model for <paramref name="plan"/> (whose factors may have been re-fitted) and its report.</summary>
    public static CompressionResult Assemble(OnnxModel original, CompressionPlan plan, CompressionOptions options, Action<string>? progress)
    {
        progress?.Invoke($"rewriting the graph ({plan.Layers.Count(l => l.Weight is not null)} layers replaced)");
        var (output, layerReports) = CompressedModelEmitter.Emit(original, plan.Layers, options);
        var report = new CompressionReport
        {
            Policy = options.Policy,
            Objective = options.Objective,
            TargetCompressionRatio = options.TargetCompressionRatio,
            Layers = layerReports,
            Skipped = plan.Scan.Skipped.Select(s => new SkippedLayerReport(s.Name, s.OpType, s.Reason)).ToArray(),
            ModelParametersBefore = plan.ParametersBefore,
            ModelParametersAfter = output.ParameterCount,
            FileBytesBefore = original.Proto.CalculateSize(),
            FileBytesAfter = output.Proto.CalculateSize(),
        };
        if (!report.TargetReached)
            report = report with
            {
                Warnings = [string.Create(CultureInfo.InvariantCulture,
                    $"The target {report.TargetCompressionRatio:0.##}x is not reachable: the smallest model these layers allow is {report.CompressionRatio:0.0}x ({report.ModelParametersAfter:N0} parameters). Compress more layers (MinimumLayerParameters, CompressInputConvolution, layer overrides) or lower the target.")],
            };
        output.Proto.MetadataProps.Add(new StringStringEntryProto { Key = CompressionReport.MetadataKey, Value = report.ToJson() });
        return new CompressionResult(output, report, plan.Layers.Where(p => p.Weight is not null).Select(p => p.Weight!).ToArray());
    }

    /// <summary>A data-free result whose layers are far from their weights gets a warning that points to re-fitting.</summary>
    public static CompressionResult WarnIfFarFromTheWeights(CompressionResult result)
    {
        var far = result.Report.Layers.Where(l => l.Format != "dense" && l.RelativeError > DataFreeWarningError).ToArray();
        if (far.Length == 0) return result;
        string warning = string.Create(CultureInfo.InvariantCulture,
            $"{far.Length} layer(s) are more than {DataFreeWarningError:P0} away from their weights (largest: {far.Max(l => l.RelativeError):0.00} at {far.MaxBy(l => l.RelativeError)!.Name}); ")
            + "data-free models this far off usually lose most of their accuracy. Re-fit with calibration data (CompressHybrid with CalibrationRows > 0, or Compress with a CalibrationSet), or lower the ratio.";
        return result.WithReport(result.Report with { Warnings = [.. result.Report.Warnings, warning] });
    }
}

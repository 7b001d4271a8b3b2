using System.Diagnostics;
using Microsoft.ML;
using MLNet.TensorCompression;
using MLNet.TensorCompression.Onnx;

namespace CompressFashionMnist;

/// <summary>Compresses the model with the ML.NET estimator in one configuration after another and measures each result.</summary>
internal sealed class Comparison(MLContext mlContext, string modelPath, IDataView calibration, IDataView test, Latency latency)
{
    /// <summary>The uncompressed model, scored by ML.NET's own ONNX transformer.</summary>
    public ResultRow MeasureOriginal()
    {
        using var scorer = mlContext.Transforms.ApplyOnnxModel("logits", "input", modelPath).Fit(test);
        return new ResultRow(
            $"{Path.GetFileNameWithoutExtension(modelPath)} (original)", "—", Evaluation.Evaluate(mlContext, scorer, test),
            OnnxModel.Load(modelPath).ParameterCount, new FileInfo(modelPath).Length, CompressionRatio: 1, LatencyRatio: 1, FitTime: null);
    }

    /// <summary>Fits <c>CompressHybrid</c> (data-free when <paramref name="calibrationRows"/> is 0) and measures the compressed model.</summary>
    public ResultRow MeasureCompressed(CompressionPolicy policy, double targetRatio, int calibrationRows)
    {
        var options = new HybridCompressionOptions
        {
            Policy = policy,
            TargetCompressionRatio = targetRatio,
            CalibrationRows = calibrationRows,
            Progress = line => Console.Error.WriteLine($"  {line}"),
        };
        var clock = Stopwatch.StartNew();
        using var transformer = mlContext.Transforms.CompressHybrid(modelPath, options).Fit(calibration);
        var fitTime = clock.Elapsed;

        var compressedModel = transformer.GetCompressedModel().ToBytes();
        Console.Error.WriteLine("  evaluating and timing the compressed model");
        return new ResultRow(
            $"{PolicyName(policy)}, target {targetRatio:0}x", calibrationRows == 0 ? "none (data-free)" : $"{calibrationRows:N0} rows",
            Evaluation.Evaluate(mlContext, transformer, test), transformer.Report.ModelParametersAfter, compressedModel.Length,
            transformer.Report.CompressionRatio, latency.RatioToOriginal(compressedModel), fitTime);
    }

    private static string PolicyName(CompressionPolicy policy) => policy switch
    {
        CompressionPolicy.TensorTrain => "TT",
        CompressionPolicy.HierarchicalTucker => "HT",
        _ => policy.ToString(),
    };
}

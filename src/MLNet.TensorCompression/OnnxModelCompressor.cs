using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tensors;
namespace MLNet.TensorCompression;

/// <summary>
/// Compresses an ONNX model: finds its Conv/Gemm/MatMul layers, plans a format and ranks for each, decomposes the
/// weights, and writes a model whose factorised layers are ops of the <c>ai.mlnet.tensorcompression</c> domain
/// (model-local functions, so any ONNX Runtime runs it). The input is never modified.
/// </summary>
public static class OnnxModelCompressor
{
    /// <summary>Compresses a model in memory.</summary>
    /// <param name="model">The model; it is not modified.</param>
    /// <param name="options">What to compress and how far; defaults when null.</param>
    /// <param name="progress">Receives a line per step (decompositions can take seconds), or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (named).</exception>
    /// <param name="cancellationToken">Stops the work between decompositions (and between re-fitting steps).</param>
    /// <exception cref="OnnxModelException">The model's weights are unusable (e.g. NaN), named by node and tensor.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static CompressionResult Compress(OnnxModel model, CompressionOptions? options = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new CompressionOptions();
        options.Validate();

        var plan = Plan(model, options, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return WarnIfFarFromTheWeights(Build(model, plan, options, progress));
    }

    /// <summary>
    /// Compresses a model and re-fits each compressed layer with calibration samples, in graph order, so that fed what
    /// the compressed upstream network produces it reproduces the original network's activation (data-aware fitting).
    /// </summary>
    /// <param name="model">The model; it is not modified.</param>
    /// <param name="options">What to compress and how far; defaults when null.</param>
    /// <param name="calibration">Unlabelled inputs of the model (a few hundred to a few thousand samples).</param>
    /// <param name="refit">Optimiser settings; defaults when null.</param>
    /// <param name="progress">Receives a line per step, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (named).</exception>
    /// <param name="cancellationToken">Stops the work between decompositions and between re-fitting steps.</param>
    /// <exception cref="ArgumentException">The calibration input is not a graph input of the model.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static CompressionResult Compress(OnnxModel model, CompressionOptions? options, CalibrationSet calibration, RefitOptions? refit = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        options ??= new CompressionOptions();
        options.Validate();
        refit ??= new RefitOptions();
        refit.Validate();
        if (!RealGraphInputs(model.Graph).Contains(calibration.InputName))
            throw new ArgumentException($"The calibration data feeds '{calibration.InputName}', which is not an input of the model (inputs: {string.Join(", ", RealGraphInputs(model.Graph))}).", nameof(calibration));

        var plan = DataAwareFitting.Refit(model, Plan(model, options, progress, cancellationToken), options, calibration, refit, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return Build(model, plan, options, progress);
    }

    /// <summary>Above this relative weight error a data-free layer has lost most of what it computed (measured on the samples: chance-level accuracy).</summary>
    private const double DataFreeWarningError = 0.5;

    /// <summary>Data-free results whose layers are far from their weights get a warning that points to re-fitting.</summary>
    private static CompressionResult WarnIfFarFromTheWeights(CompressionResult result)
    {
        var far = result.Report.Layers.Where(l => l.Format != "dense" && l.RelativeError > DataFreeWarningError).ToArray();
        if (far.Length == 0) return result;
        string warning = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{far.Length} layer(s) are more than {DataFreeWarningError:P0} away from their weights (largest: {far.Max(l => l.RelativeError):0.00} at {far.MaxBy(l => l.RelativeError)!.Name}); ")
            + "data-free models this far off usually lose most of their accuracy. Re-fit with calibration data (CompressHybrid with CalibrationRows > 0, or Compress with a CalibrationSet), or lower the ratio.";
        return result.WithReport(result.Report with { Warnings = [warning] });
    }

    /// <summary>Finds the layers, decides their formats and decomposes them: everything before the graph is written.</summary>
    internal static CompressionPlan Plan(OnnxModel model, CompressionOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        var scan = LayerFinder.Find(model);
        long parametersBefore = model.ParameterCount;
        var planned = CompressionPlanner.Decompose(PlanFormats(model, scan, options), options, parametersBefore, progress, cancellationToken);
        return new CompressionPlan(scan, planned, parametersBefore);
    }

    /// <summary>Writes the compressed model for <paramref name="plan"/> (whose factors may have been re-fitted) and its report.</summary>
    internal static CompressionResult Build(OnnxModel model, CompressionPlan plan, CompressionOptions options, Action<string>? progress)
    {
        var replacements = new List<LayerReplacement>();
        var layerReports = new List<LayerReport>();
        foreach (var layer in plan.Layers)
        {
            if (layer.Weight is null)
            {
                layerReports.Add(DenseReport(layer.Plan));
                continue;
            }
            var mode = ResolveMode(options.ExecutionMode, layer.Weight);
            var emission = FactorizedLayerEmitter.Emit(layer.Weight, mode, options.Inline, NamePrefix(layer.Weight.Layer.Name, replacements.Count));
            replacements.Add(new LayerReplacement(layer.Weight.Layer, emission));
            layerReports.Add(FactorizedReport(layer.Weight, mode, options));
        }

        progress?.Invoke($"rewriting the graph ({replacements.Count} layers replaced)");
        var output = new OnnxModel(GraphRewriter.Rewrite(model.Proto, replacements));
        GraphOutputShapes.DeclareMissing(output);
        var report = new CompressionReport
        {
            Policy = options.Policy,
            TargetCompressionRatio = options.TargetCompressionRatio,
            Layers = layerReports,
            Skipped = plan.Scan.Skipped.Select(s => new SkippedLayerReport(s.Name, s.OpType, s.Reason)).ToArray(),
            ModelParametersBefore = plan.ParametersBefore,
            ModelParametersAfter = output.ParameterCount,
            FileBytesBefore = model.Proto.CalculateSize(),
            FileBytesAfter = output.Proto.CalculateSize(),
        };
        output.Proto.MetadataProps.Add(new StringStringEntryProto { Key = CompressionReport.MetadataKey, Value = report.ToJson() });
        return new CompressionResult(output, report, plan.Layers.Where(p => p.Weight is not null).Select(p => p.Weight!).ToArray());
    }

    /// <summary>Compresses a model file into another file, written atomically; the input file is never modified.</summary>
    /// <param name="inputPath">The model to compress.</param>
    /// <param name="outputPath">Where to write the compressed model; must not be the input file. A model over 2 GiB is written with its weights in "&lt;outputPath&gt;.data" (ONNX external data).</param>
    /// <param name="options">What to compress and how far; defaults when null.</param>
    /// <param name="progress">Receives a line per step, or null.</param>
    /// <param name="cancellationToken">Stops the work; a cancelled run writes no file.</param>
    /// <exception cref="ArgumentException">The output path is the input path.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; nothing was written.</exception>
    public static CompressionResult Compress(string inputPath, string outputPath, CompressionOptions? options = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        if (string.Equals(Path.GetFullPath(inputPath), Path.GetFullPath(outputPath), StringComparison.Ordinal))
            throw new ArgumentException($"The output path '{outputPath}' is the input model; choose another file so the original is kept.", nameof(outputPath));
        var result = Compress(OnnxModel.Load(inputPath), options, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        // A model over 2 GiB cannot be one protobuf file: its weights go to "<output>.data" beside it (ONNX external data).
        result.Model.Save(outputPath, result.Model.FitsInOneFile ? null : new OnnxSaveOptions { ExternalData = true });
        return result;
    }

    /// <summary>The format decisions for the layers <paramref name="scan"/> found in <paramref name="model"/>.</summary>
    internal static IReadOnlyList<LayerPlan> PlanFormats(OnnxModel model, LayerScan scan, CompressionOptions options) =>
        CompressionPlanner.PlanFormats(scan.Layers, options, RealGraphInputs(model.Graph));

    /// <summary>
    /// How much slower a multiply-add of a factor chain runs than one of ONNX Runtime's dense Gemm/Conv: 2–3x,
    /// measured on this project's machine (single layers, rank 16, batch 1 and 64). Auto takes the chain only when it
    /// wins by that margin, so a compressed model is not slower than its original.
    /// </summary>
    private const double FactorizedCostPerMac = 3;

    private static LayerExecutionMode ResolveMode(LayerExecutionMode requested, FactorizedWeight weight) => requested switch
    {
        LayerExecutionMode.Auto => FactorizedLayerEmitter.FactorizedMacsPerSample(weight) * FactorizedCostPerMac < FactorizedLayerEmitter.ReconstructedMacsPerSample(weight)
            ? LayerExecutionMode.Factorized
            : LayerExecutionMode.Reconstructed,
        _ => requested,
    };

    private static LayerReport DenseReport(LayerPlan plan) => new()
    {
        Name = plan.Layer.Name,
        OpType = plan.Layer.OpType,
        Format = "dense",
        WeightShape = plan.Layer.Weight.Shape,
        ParametersBefore = plan.Layer.WeightCount,
        ParametersAfter = plan.Layer.WeightCount,
        MacsBefore = plan.Layer.DenseMacsPerSample,
        MacsAfter = plan.Layer.DenseMacsPerSample,
        Note = plan.Reason,
    };

    private static LayerReport FactorizedReport(FactorizedWeight weight, LayerExecutionMode mode, CompressionOptions options)
    {
        bool shapesKnown = weight.Layer.ApplicationsPerSample is not null;
        var tree = weight.HierarchicalTucker?.Tree;
        bool rankCapBound = options.Tolerance is { } tolerance && weight.RelativeError > tolerance;
        return new LayerReport
        {
            Name = weight.Layer.Name,
            OpType = weight.Layer.OpType,
            Format = weight.Format,
            WeightShape = weight.Layer.Weight.Shape,
            Modes = weight.Tensorization.ToString(),
            Tree = tree?.ToString(),
            Ranks = weight.TensorTrain?.Ranks ?? weight.HierarchicalTucker!.Ranks,
            ParametersBefore = weight.Layer.WeightCount,
            ParametersAfter = weight.FactorParameterCount,
            RelativeError = weight.RelativeError,
            ErrorBound = options.TargetCompressionRatio is null && !rankCapBound ? options.Tolerance : null,
            MacsBefore = weight.Layer.DenseMacsPerSample,
            MacsAfter = !shapesKnown ? null : mode == LayerExecutionMode.Factorized
                ? FactorizedLayerEmitter.FactorizedMacsPerSample(weight)
                : FactorizedLayerEmitter.ReconstructedMacsPerSample(weight),
            ExecutionMode = mode.ToString(),
        };
    }

    /// <summary>A node-name-safe prefix, unique per replaced layer.</summary>
    private static string NamePrefix(string layerName, int index) =>
        $"tc{index}_" + new string(layerName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');

    private static HashSet<string> RealGraphInputs(GraphProto graph) =>
        GraphInputs.Fed(graph).Select(input => input.Name).ToHashSet(StringComparer.Ordinal);
}

using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
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

        var folded = BatchNormFolding.Fold(model, progress);
        var plan = Plan(folded, options, outputError: null, progress, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return CompressionResults.WarnIfFarFromTheWeights(Before(model, folded, CompressionResults.Assemble(folded, plan, options, progress)));
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
        (options, refit) = ValidateDataAware(model, options, calibration, refit);
        var folded = BatchNormFolding.Fold(model, progress);
        using var fitting = LayerwiseFitting(folded, options, calibration, refit);
        var plan = Plan(folded, options, OutputErrorOf(folded, options, calibration, refit, fitting), progress, cancellationToken);
        plan = plan with { Layers = fitting.Refit(plan.Layers, progress, cancellationToken) };
        cancellationToken.ThrowIfCancellationRequested();
        return Before(model, folded, CompressionResults.Assemble(folded, plan, options, progress));
    }

    /// <summary>
    /// The result with the report's "before" figures of the model the caller gave, when BatchNormalization folding
    /// (<see cref="BatchNormFolding"/>) compressed a rewritten copy of it.
    /// </summary>
    private static CompressionResult Before(OnnxModel given, OnnxModel compressed, CompressionResult result) =>
        ReferenceEquals(given, compressed) ? result
        : result.WithReport(result.Report with { ModelParametersBefore = given.ParameterCount, FileBytesBefore = given.Proto.CalculateSize() });

    /// <summary>
    /// The smallest model whose accuracy on <paramref name="evaluation"/> stays within <paramref name="maxDrop"/> of the
    /// original's (<see cref="AccuracyAwareSearch"/>): one scan, one set of rank ladders and one capture of the original's
    /// activations serve every candidate ratio, each re-fitted on <paramref name="calibration"/>.
    /// </summary>
    internal static (CompressionResult Result, AccuracySearchStep Chosen) CompressWithinAccuracyDrop(OnnxModel model, CompressionOptions options, CalibrationSet calibration,
        CalibrationSet evaluation, IReadOnlyList<int> labels, double maxDrop, RefitOptions refit, Action<string>? progress, CancellationToken cancellationToken = default)
    {
        (options, refit) = ValidateDataAware(model, options, calibration, refit);
        var given = model;
        model = BatchNormFolding.Fold(model, progress);
        double original = ClassifierAccuracy.Measure(model, evaluation, labels);
        progress?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"original accuracy {original:F4} on {evaluation.Count} held-back rows; searching for the smallest model within {maxDrop:P1}"));
        var ratios = AccuracyAwareSearch.Ratios(options.TargetCompressionRatio);
        var scan = LayerFinder.Find(model);
        long parametersBefore = model.ParameterCount;
        using var fitting = LayerwiseFitting(model, options, calibration, refit);
        var ladders = CompressionPlanner.Ladders(PlanFormats(model, scan, options), options, parametersBefore, ratios[0], OutputErrorOf(model, options, calibration, refit, fitting), progress, cancellationToken);
        return AccuracyAwareSearch.Run(ratios, original, maxDrop, ratio =>
        {
            var candidate = options.Clone();
            candidate.TargetCompressionRatio = ratio;
            var layers = fitting.Refit(LayerForms.Choose(ladders.Allocate(ratio, options.RankAllocation), candidate, StandardOpset.Of(model.Proto), progress: null, cancellationToken), progress: null, cancellationToken);
            var result = Before(given, model, CompressionResults.Assemble(model, new CompressionPlan(scan, layers, parametersBefore), candidate, progress: null));
            return (result, ClassifierAccuracy.Measure(result.Model, evaluation, labels));
        }, progress);
    }

    private static (CompressionOptions Options, RefitOptions Refit) ValidateDataAware(OnnxModel model, CompressionOptions? options, CalibrationSet calibration, RefitOptions? refit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        options ??= new CompressionOptions();
        options.Validate();
        refit ??= new RefitOptions();
        refit.Validate();
        if (!RealGraphInputs(model.Graph).Contains(calibration.InputName))
            throw new ArgumentException($"The calibration data feeds '{calibration.InputName}', which is not an input of the model (inputs: {string.Join(", ", RealGraphInputs(model.Graph))}).", nameof(calibration));
        // Before any work: samples the input does not accept would otherwise fail inside ONNX Runtime mid-way.
        ActivationSession.CheckSamples(model.Graph.Input.First(i => i.Name == calibration.InputName), calibration);
        return (options, refit);
    }

    /// <summary>Layer-wise fitting whose upstream models are written by emission, as the final model will be.</summary>
    private static DataAwareFitting LayerwiseFitting(OnnxModel model, CompressionOptions options, CalibrationSet calibration, RefitOptions refit) =>
        new(model, calibration, refit, layers => CompressedModelEmitter.Emit(model, layers, options).Model);

    /// <summary>
    /// What the output-error allocation ranks candidates by: the output error, on a draw of the calibration samples, of the
    /// model with one layer's candidate alone in place and re-fitted by <paramref name="fitting"/> (quickly, see
    /// <see cref="RefitOptions.ForAllocation"/>; written Reconstructed, the fastest to load and run). Null unless that
    /// allocation is asked for.
    /// </summary>
    private static CandidateErrors? OutputErrorOf(OnnxModel model, CompressionOptions options, CalibrationSet calibration, RefitOptions refit, DataAwareFitting fitting)
    {
        if (options.RankAllocation != RankAllocation.OutputError || options.TargetCompressionRatio is null) return null;
        var measure = new OutputError(model, calibration, refit.AllocationSamples, refit.Seed);
        var emission = options.Clone();
        emission.ExecutionMode = LayerExecutionMode.Reconstructed;
        return (dense, index, candidates, cancellationToken) =>
        {
            var fitted = fitting.RefitAlone(candidates.Select(c => c.Weight!).ToArray(), refit.ForAllocation, cancellationToken);
            return candidates.Zip(fitted, (candidate, weight) =>
            {
                var layers = dense.ToArray();
                layers[index] = candidate with { Weight = weight };
                return measure.Measure(CompressedModelEmitter.Emit(model, layers, emission).Model);
            }).ToArray();
        };
    }

    /// <summary>
    /// Finds the layers, decides their formats, decomposes them and, for a latency objective, times their forms:
    /// everything before fitting and emission.
    /// </summary>
    private static CompressionPlan Plan(OnnxModel model, CompressionOptions options, CandidateErrors? outputError, Action<string>? progress, CancellationToken cancellationToken)
    {
        var scan = LayerFinder.Find(model);
        long parametersBefore = model.ParameterCount;
        var planned = CompressionPlanner.Decompose(PlanFormats(model, scan, options), options, parametersBefore, outputError, progress, cancellationToken);
        return new CompressionPlan(scan, LayerForms.Choose(planned, options, StandardOpset.Of(model.Proto), progress, cancellationToken), parametersBefore);
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

    /// <summary>
    /// The format decisions for the layers <paramref name="scan"/> found in <paramref name="model"/>. A layer whose weight
    /// or bias is also a graph input (IR version 4 on, where listing an initializer as an input makes it overridable)
    /// stays dense unless an override names a format for it: compressed, the input could no longer change anything.
    /// </summary>
    internal static IReadOnlyList<LayerPlan> PlanFormats(OnnxModel model, LayerScan scan, CompressionOptions options)
    {
        var plans = CompressionPlanner.PlanFormats(scan.Layers, options, RealGraphInputs(model.Graph));
        if (model.Proto.IrVersion < OverridableInitializerIrVersion) return plans;
        var overridable = model.Graph.Input.Select(i => i.Name).Intersect(model.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        return plans.Select(plan =>
        {
            var fed = plan.Layer.ParameterTensorNames.FirstOrDefault(overridable.Contains);
            bool overridden = options.LayerOverrides.FirstOrDefault(o => o.Matches(plan.Layer.Name)) is { Format: not LayerFormat.Dense };
            return fed is null || overridden || plan.Format == LayerFormat.Dense
                ? plan
                : LayerPlan.Dense(plan.Layer, $"'{fed}' is also a graph input, so callers may feed it; compressed, feeding it would change nothing (override with --layer {plan.Layer.Name}=tt|ht to compress it anyway)", keepWeights: true);
        }).ToArray();
    }

    /// <summary>From this IR version on, initializers are not listed as graph inputs unless they are meant to be overridable.</summary>
    private const long OverridableInitializerIrVersion = 4;

    private static HashSet<string> RealGraphInputs(GraphProto graph) =>
        GraphInputs.Fed(graph).Select(input => input.Name).ToHashSet(StringComparer.Ordinal);
}

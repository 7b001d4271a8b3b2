using Microsoft.ML;
using Microsoft.ML.Transforms.Onnx;
using MLNet.TensorCompression.DataViews;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression;

/// <summary>
/// Compresses an ONNX model when fitted (tensor train for convolutions, hierarchical Tucker for fully connected
/// layers, by default) and scores with the compressed model through ML.NET's own ONNX transformer. Create it with
/// <see cref="TensorCompressionCatalog.CompressHybrid(TransformsCatalog, string, HybridCompressionOptions?)"/>.
/// Input and output columns are named after the model's tensors, as with <c>ApplyOnnxModel</c>.
/// </summary>
public sealed class HybridCompressionEstimator : IEstimator<HybridCompressionTransformer>
{
    private readonly TransformsCatalog catalog;
    private readonly OnnxModel model;
    private readonly ModelSignature signature;
    private readonly string[] outputColumnNames;
    private readonly string[] inputColumnNames;
    private readonly HybridCompressionOptions options;
    private readonly DataAwareCompression dataAwareFit;

    // ML.NET's scorer of the original model: the compressed model has the same inputs and outputs, so this gives the
    // output schema before anything is compressed, and ML.NET's own column checks and messages.
    private readonly OnnxScoringEstimator originalScoring;

    /// <summary>Builds the estimator; the model is read and checked by ML.NET's ONNX scorer now, compressed in <see cref="Fit"/>.</summary>
    /// <param name="catalog">The catalog whose ML.NET environment the scorers are created in.</param>
    /// <param name="model">The model to compress; it is not modified.</param>
    /// <param name="outputColumnNames">Model outputs to produce, or null for all of them.</param>
    /// <param name="inputColumnNames">Model inputs to feed (every one), or null for all of them.</param>
    /// <param name="options">The options, validated and copied; null for the defaults.</param>
    /// <param name="dataAwareFit">The data-aware fitting to call when calibration rows are asked for (tests substitute their own).</param>
    internal HybridCompressionEstimator(
        TransformsCatalog catalog,
        OnnxModel model,
        string[]? outputColumnNames,
        string[]? inputColumnNames,
        HybridCompressionOptions? options,
        DataAwareCompression dataAwareFit)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        this.options = (options ?? new HybridCompressionOptions()).Clone();
        this.options.Validate();
        this.catalog = catalog;
        this.model = model;
        signature = ModelSignature.Of(model);
        // The parameters may be null (all of the model's columns); only the fields are complete.
        this.outputColumnNames = outputColumnNames?.ToArray() ?? signature.OutputNames;
        this.inputColumnNames = inputColumnNames?.ToArray() ?? signature.InputNames;
        signature.RequireColumns(this.outputColumnNames, this.inputColumnNames);
        this.dataAwareFit = dataAwareFit;
        originalScoring = catalog.ApplyOnnxModel(this.outputColumnNames, this.inputColumnNames, new MemoryStream(model.ToBytes()));
    }

    /// <summary>
    /// The schema after fitting: the input columns plus the model's outputs, typed as ML.NET's ONNX transformer types
    /// them (a symbolic batch dimension becomes 1, e.g. <c>Vector&lt;Single, 1, 10&gt;</c>).
    /// </summary>
    /// <param name="inputSchema">The shape of the data that will be passed to <see cref="Fit"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A model input column is missing or of the wrong type, or the label column is missing; names the column.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var output = originalScoring.GetOutputSchema(inputSchema);
        if (LabelColumnNeeded && !inputSchema.Any(column => column.Name == options.LabelColumnName))
            throw MissingLabelColumn(nameof(inputSchema));
        return output;
    }

    /// <summary>
    /// Checks <paramref name="input"/>'s schema, compresses the model (re-fitted on up to
    /// <see cref="HybridCompressionOptions.CalibrationRows"/> rows, or data-free when that is 0), fine-tunes it end to end
    /// when <see cref="HybridCompressionOptions.FineTuning"/> is set, and returns the transformer that scores with the
    /// compressed model.
    /// </summary>
    /// <param name="input">Data with a column for every model input; calibration rows when <see cref="HybridCompressionOptions.CalibrationRows"/> &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A model input column is missing, of the wrong type or size, or the label column is missing; names the column.</exception>
    /// <exception cref="ArgumentException">Calibration rows or fine-tuning were asked for but <paramref name="input"/> has no rows.</exception>
    public HybridCompressionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        signature.RequireSampleSizes(input.Schema, inputColumnNames, nameof(input));
        originalScoring.Fit(input);
        if (LabelColumnNeeded && input.Schema.GetColumnOrNull(options.LabelColumnName!) is null)
            throw MissingLabelColumn(nameof(input));
        if (options.CalibrationRows > 0)
            RequireRows(input, $"CalibrationRows = {options.CalibrationRows}");
        if (options.FineTuning is not null)
            RequireRows(input, "FineTuning is set");

        var result = Compress(input);
        if (options.FineTuning is { } fineTuning)
            result = FineTune(fineTuning, result, input);
        options.Progress?.Invoke("creating the ML.NET scorer of the compressed model");
        var scorer = catalog.ApplyOnnxModel(outputColumnNames, inputColumnNames, new MemoryStream(result.Model.ToBytes())).Fit(input);
        return new HybridCompressionTransformer(scorer, result);
    }

    /// <summary>A label column is read by calibration and by fine-tuning.</summary>
    private bool LabelColumnNeeded => (options.CalibrationRows > 0 || options.FineTuning is not null) && options.LabelColumnName is not null;

    private CompressionResult Compress(IDataView input)
    {
        // A copy per fit, so nothing the fitting does to its options reaches the next fit.
        var settings = options.Clone();
        var progress = settings.Progress;
        if (settings.CalibrationRows == 0)
        {
            progress?.Invoke("compressing data-free (CalibrationRows = 0)");
            return WithCalibrationNote(OnnxModelCompressor.Compress(model, settings, progress), "none: CalibrationRows = 0, data-free.");
        }
        return dataAwareFit(model, input, settings, progress);
    }

    /// <summary>Trains the compressed model's factors end to end on the rows of <paramref name="input"/>, the original model teaching.</summary>
    private CompressionResult FineTune(FineTuning fineTuning, CompressionResult compressed, IDataView input)
    {
        var (samples, labels) = DataViewCalibration.Read(model, input, fineTuning.MaxRows ?? int.MaxValue, options.LabelColumnName);
        options.Progress?.Invoke($"fine-tuning ({fineTuning.GetType().Name}) on {samples.Count} rows of '{samples.InputName}'{(labels is null ? "" : $" with labels '{options.LabelColumnName}'")}");
        var outcome = fineTuning.Run(new FineTuningRequest(model, compressed.Model, samples, labels, options.Seed, options.Progress));
        var tuned = compressed with { Model = outcome.Model };
        return tuned.WithReport(compressed.Report with { FineTuning = outcome.Summary });
    }

    /// <summary>Throws unless <paramref name="input"/> has a row, which <paramref name="reason"/> (an option setting) needs.</summary>
    private static void RequireRows(IDataView input, string reason)
    {
        bool hasRows = input.GetRowCount() is { } count ? count > 0 : HasFirstRow(input);
        if (!hasRows)
            throw new ArgumentException($"{reason} but the input has no rows; pass training data to Fit, or set CalibrationRows = 0 (and FineTuning = null) to compress data-free.", nameof(input));
    }

    private static bool HasFirstRow(IDataView input)
    {
        using var cursor = input.GetRowCursor([]);
        return cursor.MoveNext();
    }

    private ArgumentOutOfRangeException MissingLabelColumn(string parameterName) =>
        new(parameterName, $"Could not find label column '{options.LabelColumnName}' (HybridCompressionOptions.LabelColumnName).");

    /// <summary>The result with <paramref name="note"/> as the report's calibration line, in the report and in the model's metadata copy of it.</summary>
    internal static CompressionResult WithCalibrationNote(CompressionResult result, string note) =>
        result.WithReport(result.Report with { Calibration = note });
}

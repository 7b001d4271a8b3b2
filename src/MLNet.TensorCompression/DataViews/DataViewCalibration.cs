using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.DataViews;

/// <summary>
/// The estimator's data-aware fitting: reads the model's input column (and the label column for the accuracy-aware
/// search), re-fits every compressed layer to the original network's activations on up to
/// <see cref="HybridCompressionOptions.CalibrationRows"/> rows, and — with <see cref="HybridCompressionOptions.MaxAccuracyDrop"/> —
/// searches for the smallest model within that drop, scored on rows held back from the fitting.
/// </summary>
internal static class DataViewCalibration
{
    /// <summary>Fewer rows than this cannot fit a layer and hold some back.</summary>
    public const int MinimumRows = 10;

    /// <summary>A <see cref="DataAwareCompression"/>.</summary>
    public static CompressionResult Fit(OnnxModel model, IDataView data, HybridCompressionOptions options, Action<string>? progress)
    {
        bool search = options.MaxAccuracyDrop is not null;
        // The search scores on rows the factors were not fitted to: the rows after the calibration rows, up to as many again.
        var (samples, labels) = Read(model, data, search ? 2 * options.CalibrationRows : options.CalibrationRows, search ? options.LabelColumnName : null);
        if (samples.Count < MinimumRows)
            throw new ArgumentException($"Data-aware fitting needs at least {MinimumRows} rows; the input has {samples.Count}. Pass more rows to Fit, or set CalibrationRows = 0 to compress data-free.", nameof(data));
        var refit = options.Refit with { Seed = options.Seed };

        if (!search)
        {
            progress?.Invoke($"read {samples.Count} calibration rows of '{samples.InputName}'");
            var result = OnnxModelCompressor.Compress(model, options, samples, refit, progress);
            return HybridCompressionEstimator.WithCalibrationNote(result, Note(samples.Count, samples.InputName, refit));
        }

        int fitRows = samples.Count > options.CalibrationRows ? options.CalibrationRows : samples.Count * 4 / 5;
        var (calibration, evaluation) = (samples.Take(0, fitRows), samples.Take(fitRows, samples.Count - fitRows));
        progress?.Invoke($"read {samples.Count} rows of '{samples.InputName}': {calibration.Count} to fit, {evaluation.Count} to score");
        var (found, best) = OnnxModelCompressor.CompressWithinAccuracyDrop(model, options, calibration, evaluation, labels![fitRows..], options.MaxAccuracyDrop!.Value, refit, progress);
        var invariant = CultureInfo.InvariantCulture;
        string outcome = best.WithinDrop
            ? string.Create(invariant, $" (within MaxAccuracyDrop = {options.MaxAccuracyDrop}).")
            : string.Create(invariant, $"; no model tried stayed within MaxAccuracyDrop = {options.MaxAccuracyDrop}, so this is the one that lost least.");
        string note = Note(calibration.Count, samples.InputName, refit) + string.Create(invariant,
            $" Accuracy-aware search over target ratios, scored on {evaluation.Count} held-back rows: {found.Report.AccuracySearch!.Count} models tried; kept {best.CompressionRatio:0.0}x with accuracy {best.Accuracy:0.0000} against {best.OriginalAccuracy:0.0000}") + outcome;
        return HybridCompressionEstimator.WithCalibrationNote(found, note);
    }

    private static string Note(int rows, string inputName, RefitOptions refit) =>
        $"layer-wise re-fit on {rows} rows of '{inputName}' ({refit.Steps} Adam steps per layer, targets: the original model's activations).";

    /// <summary>
    /// Reads up to <paramref name="maximumRows"/> rows of the model's input column, and the class index of each from
    /// <paramref name="labelColumnName"/> when it is not null.
    /// </summary>
    internal static (CalibrationSet Samples, int[]? Labels) Read(OnnxModel model, IDataView data, int maximumRows, string? labelColumnName)
    {
        var (inputName, sampleShape) = ModelInput.SingleWithFixedSample(model);
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);

        var column = data.Schema[inputName];
        var labelColumn = labelColumnName is null ? (DataViewSchema.Column?)null : data.Schema[labelColumnName];
        using var cursor = data.GetRowCursor(labelColumn is { } l ? [column, l] : [column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var readLabel = labelColumn is { } labels ? LabelReader(cursor, labels) : null;
        var values = new List<float>();
        var labelValues = new List<int>();
        var row = default(VBuffer<float>);
        int rows = 0;
        while (rows < maximumRows && cursor.MoveNext())
        {
            getter(ref row);
            if (row.Length != sampleSize)
                throw new ArgumentException($"Row {rows} of column '{inputName}' has {row.Length} values; the model input takes {sampleSize}.", nameof(data));
            int first = values.Count;
            foreach (var value in row.DenseValues()) values.Add(value);
            // Checked here, where the row and column can be named; CalibrationSet would only know the sample's index.
            int bad = CalibrationSet.FirstNonFinite(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values)[first..]);
            if (bad >= 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {rows} of column '{inputName}' holds {values[first + bad]} at index {bad}; data-aware fitting needs finite values. Remove or repair such rows before Fit (e.g. filter them out), or set CalibrationRows = 0 to compress data-free."), nameof(data));
            if (readLabel is not null) labelValues.Add(readLabel());
            rows++;
        }
        if (rows == 0)
            throw new ArgumentException($"Data-aware fitting needs at least {MinimumRows} rows; the input has none.", nameof(data));
        return (new CalibrationSet(inputName, sampleShape, values.ToArray()), readLabel is null ? null : labelValues.ToArray());
    }

    /// <summary>Reads a class index from a key (1-based in ML.NET), unsigned, integer or floating-point label column.</summary>
    private static Func<int> LabelReader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var type = column.Type;
        if (type is KeyDataViewType) { var get = cursor.GetGetter<uint>(column); return () => { uint v = 0; get(ref v); return (int)v - 1; }; }
        if (type == NumberDataViewType.UInt32) { var get = cursor.GetGetter<uint>(column); return () => { uint v = 0; get(ref v); return (int)v; }; }
        if (type == NumberDataViewType.Int32) { var get = cursor.GetGetter<int>(column); return () => { int v = 0; get(ref v); return v; }; }
        if (type == NumberDataViewType.Int64) { var get = cursor.GetGetter<long>(column); return () => { long v = 0; get(ref v); return (int)v; }; }
        if (type == NumberDataViewType.Single) { var get = cursor.GetGetter<float>(column); return () => { float v = 0; get(ref v); return (int)v; }; }
        if (type == NumberDataViewType.Double) { var get = cursor.GetGetter<double>(column); return () => { double v = 0; get(ref v); return (int)v; }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"Label column '{column.Name}' has type {type}; calibration and fine-tuning read a key, integer or floating-point class index.");
    }
}

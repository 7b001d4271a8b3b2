using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Calibration;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression;

/// <summary>
/// The estimator's data-aware fitting: reads up to <see cref="HybridCompressionOptions.CalibrationRows"/> rows of the
/// model's input column and re-fits every compressed layer to the original network's activations on them
/// (<see cref="OnnxModelCompressor.Compress(OnnxModel, CompressionOptions?, CalibrationSet, RefitOptions?, Action{string}?)"/>).
/// </summary>
internal static class DataViewCalibration
{
    /// <summary>A <see cref="DataAwareCompression"/>.</summary>
    public static CompressionResult Fit(OnnxModel model, CompressionOptions compression, IDataView data, HybridCompressionOptions options, Action<string>? progress)
    {
        var samples = ReadSamples(model, data, options.CalibrationRows);
        progress?.Invoke($"read {samples.Count} calibration rows of '{samples.InputName}'");
        var refit = options.Refit with { Seed = options.Seed };
        var result = OnnxModelCompressor.Compress(model, compression, samples, refit, progress);
        string note = string.Create(CultureInfo.InvariantCulture,
            $"layer-wise re-fit on {samples.Count} rows of '{samples.InputName}' ({refit.Steps} Adam steps per layer, targets: the original model's activations)")
            + (options.MaxAccuracyDrop is { } drop ? string.Create(CultureInfo.InvariantCulture, $"; MaxAccuracyDrop = {drop} was not checked: the accuracy-aware search is not implemented yet.") : ".");
        return HybridCompressionEstimator.WithCalibrationNote(result, note);
    }

    private static CalibrationSet ReadSamples(OnnxModel model, IDataView data, int maximumRows)
    {
        var input = ModelSignature.Of(model).SingleInput();
        var dims = input.Type.TensorType.Shape.Dim;
        if (dims.Count < 2 || dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue))
            throw new ArgumentException($"Calibration needs the model input '{input.Name}' to have a batch axis and fixed sizes after it; it is declared [{string.Join(",", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam))}].", nameof(model));
        long[] sampleShape = dims.Skip(1).Select(d => d.DimValue).ToArray();
        int sampleSize = (int)sampleShape.Aggregate(1L, (a, b) => a * b);

        var column = data.Schema[input.Name];
        var values = new List<float>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var row = default(VBuffer<float>);
        int rows = 0;
        while (rows < maximumRows && cursor.MoveNext())
        {
            getter(ref row);
            if (row.Length != sampleSize)
                throw new ArgumentException($"Row {rows} of column '{input.Name}' has {row.Length} values; the model input takes {sampleSize}.", nameof(data));
            foreach (var value in row.DenseValues()) values.Add(value);
            rows++;
        }
        return new CalibrationSet(input.Name, sampleShape, values.ToArray());
    }
}

using System.Globalization;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>The one graph input that calibration and evaluation feed, and the shape of one sample of it.</summary>
internal static class ModelInput
{
    /// <summary>The model's only non-initializer input and its sizes after the batch axis.</summary>
    /// <exception cref="ArgumentException">The model has several inputs, or the input's sizes after the batch axis are not fixed.</exception>
    public static (string Name, long[] SampleShape) SingleWithFixedSample(OnnxModel model)
    {
        var inputs = GraphInputs.Fed(model.Graph);
        if (inputs.Length != 1)
            throw new ArgumentException($"The model has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); calibration and evaluation feed exactly one.", nameof(model));
        var dims = inputs[0].Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count < 2 || dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue))
            throw new ArgumentException($"The model input '{inputs[0].Name}' needs a batch axis and fixed sizes after it; it is declared [{string.Join(",", dims?.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam) ?? [])}]. Rows of CSV, IDX or an ML.NET vector column are read with the sample shape the model declares; for symbolic sizes (e.g. H, W) give OnnxModelCompressor.Compress a CalibrationSet with the samples' shape.", nameof(model));
        return (inputs[0].Name, dims.Skip(1).Select(d => d.DimValue).ToArray());
    }

    /// <summary>
    /// The batch size <paramref name="input"/> declares when its first axis is fixed (ML.NET's ResNet-18 featurizer, a
    /// CNTK export, declares [1,3,224,224]), or null when the axis is symbolic or the input has no declared shape.
    /// </summary>
    public static int? FixedBatchSize(ValueInfoProto input)
    {
        var dims = input.Type?.TensorType?.Shape?.Dim;
        return dims is { Count: > 0 } && dims[0].HasDimValue && dims[0].DimValue > 0 ? checked((int)dims[0].DimValue) : null;
    }
}

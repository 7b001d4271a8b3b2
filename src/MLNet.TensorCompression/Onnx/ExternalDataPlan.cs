using System.Globalization;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;
using DataLocation = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataLocation;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// A copy of a model in which the large initializers of the main graph point into one external
/// data file, together with the layout of that file. The original model is not changed.
/// </summary>
internal sealed class ExternalDataPlan
{
    /// <summary>Each tensor starts at a multiple of this, so it can be memory-mapped and read aligned.</summary>
    private const int Alignment = 64;

    private readonly List<Payload> payloads;

    private ExternalDataPlan(ModelProto model, List<Payload> payloads)
    {
        Model = model;
        this.payloads = payloads;
    }

    /// <summary>The model to serialize: the original's structure with external references for the moved tensors.</summary>
    public ModelProto Model { get; }

    /// <summary>Whether any tensor was moved, i.e. whether a data file must be written.</summary>
    public bool HasData => payloads.Count > 0;

    /// <summary>Plans which initializers move to <paramref name="fileName"/> and where each one goes.</summary>
    /// <param name="model">The model to save; it is not changed.</param>
    /// <param name="fileName">The data file's name, relative to the model's directory.</param>
    /// <param name="threshold">Minimum number of element bytes for a tensor to be moved.</param>
    public static ExternalDataPlan Create(ModelProto model, string fileName, long threshold)
    {
        // MergeFrom copies repeated message fields by reference and nested messages field by field,
        // so this is a new model and graph whose initializer list can be edited without touching
        // the original, while all tensor payloads are shared, not copied.
        var copy = new ModelProto();
        copy.MergeFrom(model);

        var payloads = new List<Payload>();
        long end = 0;
        var initializers = copy.Graph.Initializer;
        for (var i = 0; i < initializers.Count; i++)
        {
            var tensor = initializers[i];
            var length = MovableLength(tensor);
            if (length == 0 || length < threshold)
            {
                continue;
            }

            var offset = (end + Alignment - 1) / Alignment * Alignment;
            payloads.Add(new Payload(tensor, offset));
            end = offset + length;
            initializers[i] = ExternalReference(tensor, fileName, offset, length);
        }

        return new ExternalDataPlan(copy, payloads);
    }

    /// <summary>Writes the data file: each moved tensor's little-endian bytes at its planned offset, zero padding between.</summary>
    public void WriteData(Stream stream)
    {
        long position = 0;
        foreach (var payload in payloads)
        {
            if (payload.Offset > position)
            {
                stream.Write(new byte[payload.Offset - position]);
            }

            var bytes = ElementBytes(payload.Tensor);
            stream.Write(bytes.Span);
            position = payload.Offset + bytes.Length;
        }
    }

    /// <summary>
    /// Bytes the tensor's elements take in raw form, or 0 if it stays embedded: tensors already in
    /// raw_data and FLOAT tensors in float_data are moved; others (strings, narrow types widened
    /// to int32, ...) would need a per-type conversion and are small in CNNs, so they stay.
    /// </summary>
    private static long MovableLength(TensorProto tensor)
    {
        if (tensor.DataLocation == DataLocation.External)
        {
            return 0;
        }

        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Length;
        }

        return tensor.DataType == (int)DataType.Float ? (long)tensor.FloatData.Count * sizeof(float) : 0;
    }

    private static ReadOnlyMemory<byte> ElementBytes(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.Memory;
        }

        var values = new float[tensor.FloatData.Count];
        tensor.FloatData.CopyTo(values, 0);
        return LittleEndianBytes.FromSingles(values);
    }

    private static TensorProto ExternalReference(TensorProto tensor, string fileName, long offset, long length)
    {
        // Clone keeps every other field (name, dims, doc string, unknown fields); the payload is then dropped.
        var reference = tensor.Clone();
        reference.ClearRawData();
        reference.FloatData.Clear();
        reference.ExternalData.Add(Entry(ExternalDataReference.LocationKey, fileName));
        reference.ExternalData.Add(Entry(ExternalDataReference.OffsetKey, offset.ToString(CultureInfo.InvariantCulture)));
        reference.ExternalData.Add(Entry(ExternalDataReference.LengthKey, length.ToString(CultureInfo.InvariantCulture)));
        reference.DataLocation = DataLocation.External;
        return reference;
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };

    private readonly record struct Payload(TensorProto Tensor, long Offset);
}

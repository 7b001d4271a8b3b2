using System.Collections.ObjectModel;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// A named dense float tensor read from (or to be written to) an ONNX model: its shape and its
/// elements in row-major order.
/// </summary>
public sealed class FloatTensorData
{
    /// <summary>Creates a tensor over <paramref name="data"/>, which is used as is, not copied.</summary>
    /// <param name="name">The tensor's name in the graph.</param>
    /// <param name="shape">Size of each axis; the product must equal the length of <paramref name="data"/>.</param>
    /// <param name="data">The elements in row-major order.</param>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not match the data length.</exception>
    public FloatTensorData(string name, ReadOnlySpan<int> shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(data);
        OnnxShape.RequireMatches(name, shape, data.Length);

        Name = name;
        Shape = new ReadOnlyCollection<int>(shape.ToArray());
        Data = data;
    }

    /// <summary>The tensor's name in the graph.</summary>
    public string Name { get; }

    /// <summary>Size of each axis, outermost first.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>The elements in row-major order. Not shared with any <see cref="TensorProto"/>.</summary>
    public float[] Data { get; }

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Count;

    /// <summary>Creates a FLOAT <see cref="TensorProto"/> holding this tensor in raw_data.</summary>
    public TensorProto ToTensorProto() => FloatTensorProto.Create(Name, Shape.ToArray(), Data);

}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// A node input whose value is fixed by the model: an initializer or a <c>Constant</c> node, reached through zero or more
/// <c>Identity</c> nodes.
/// </summary>
/// <param name="Value">The tensor (for a <c>Constant</c>'s <c>value_float(s)</c> / <c>value_int(s)</c>, one built from the attribute).</param>
/// <param name="SourceName">The initializer's name, or the <c>Constant</c> node's output: the name a user knows the tensor by.</param>
/// <param name="TensorNames">Every name the value passes under, from the one the consumer reads back to <paramref name="SourceName"/>.</param>
/// <param name="Forwarders">
/// The <c>Identity</c> nodes on the way: <c>Forwarders[i]</c> reads <c>TensorNames[i + 1]</c> and writes <c>TensorNames[i]</c>.
/// </param>
internal sealed record ConstantTensor(TensorProto Value, string SourceName, IReadOnlyList<string> TensorNames, IReadOnlyList<NodeProto> Forwarders)
{
    /// <summary>The size of each axis.</summary>
    public long[] Shape => Value.Dims.ToArray();

    /// <summary>Number of elements (the product of the sizes).</summary>
    /// <exception cref="OnnxModelException">A size is negative or the product does not fit in a long.</exception>
    public long ElementCount => OnnxShape.ElementCount(Value);

    /// <summary>Whether the elements are FLOAT, the only type compressed layers are written in.</summary>
    public bool IsFloat => Value.DataType == (int)DataType.Float;

    /// <summary>Whether the elements are of any floating-point type (FLOAT16, BFLOAT16, DOUBLE, the 8-bit floats, ...).</summary>
    public bool IsFloatingPoint => (DataType)Value.DataType is DataType.Float or DataType.Float16 or DataType.Double or DataType.Bfloat16
        or DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz
        or DataType.Float4E2M1 or DataType.Float8E8M0;

    /// <summary>The element type's ONNX name, e.g. "FLOAT16".</summary>
    public string ElementTypeName => ElementTypeNames.Of(Value.DataType);

    /// <summary>The shape formatted as "[3,4]".</summary>
    public string FormattedShape => OnnxShape.Format<long>(Shape);
}

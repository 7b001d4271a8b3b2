using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Onnx;

/// <summary>Names of tensor element types for messages.</summary>
internal static class ElementTypeNames
{
    /// <summary>The ONNX name of an element type, e.g. "FLOAT16", or its number when it is not known.</summary>
    public static string Of(int dataType) =>
        Enum.IsDefined((DataType)dataType) ? ((DataType)dataType).ToString().ToUpperInvariant() : $"number {dataType}";
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static TorchSharp.torch;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// Converts ONNX tensors (FLOAT, and INT64 for shapes and indices) to TorchSharp tensors; a Constant node's value may
/// also be DOUBLE, the form integer vectors take below opset 9 (cast to INT64 by the next node).
/// </summary>
internal static class TorchTensorProtos
{
    /// <summary>The tensor as a new TorchSharp tensor (float32 or int64).</summary>
    /// <param name="proto">The ONNX tensor, with its data embedded.</param>
    /// <param name="what">What the tensor is, e.g. "initializer 'w'", for the error message.</param>
    /// <exception cref="NotSupportedException">The element type is neither FLOAT nor INT64.</exception>
    public static Tensor ToTorch(TensorProto proto, string what)
    {
        var shape = proto.Dims.ToArray();
        switch ((DataType)proto.DataType)
        {
            case DataType.Float:
                return tensor(FloatTensorProto.Read(proto).Data, shape, ScalarType.Float32);
            case DataType.Int64:
                return tensor(ReadInt64(proto, what), shape, ScalarType.Int64);
            default:
                throw new NotSupportedException(
                    $"The {what} has element type {ElementTypeName(proto.DataType)}; OnnxTorchGraph runs FLOAT tensors, and INT64 for shapes and indices.");
        }
    }

    /// <summary>
    /// A Constant node's value: as <see cref="ToTorch"/>, and also DOUBLE (float64), because Constant holds only
    /// floating-point tensors before opset 9, so integer vectors are written as DOUBLE and then cast to INT64.
    /// </summary>
    /// <inheritdoc cref="ToTorch" path="/param"/>
    public static Tensor ConstantToTorch(TensorProto proto, string what) =>
        (DataType)proto.DataType == DataType.Double
            ? tensor(ReadDouble(proto, what), proto.Dims.ToArray(), ScalarType.Float64)
            : ToTorch(proto, what);

    /// <summary>Whether an ONNX element type is one this executor carries (FLOAT or INT64).</summary>
    public static bool IsSupported(int dataType) => (DataType)dataType is DataType.Float or DataType.Int64;

    /// <summary>The ONNX name of an element type, e.g. "DOUBLE".</summary>
    public static string ElementTypeName(int dataType) =>
        Enum.IsDefined((DataType)dataType) ? ((DataType)dataType).ToString().ToUpperInvariant() : $"unknown ({dataType})";

    /// <summary>The elements of an int64 tensor (shape targets, axes, …) as an array.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not int64.</exception>
    public static long[] ReadLongs(Tensor value, string what)
    {
        if (value.dtype != ScalarType.Int64)
            throw new InvalidOperationException($"The {what} must be an INT64 tensor but is {value.dtype}.");
        return value.is_contiguous() ? value.data<long>().ToArray() : value.contiguous().data<long>().ToArray();
    }

    private static long[] ReadInt64(TensorProto proto, string what) =>
        ReadElements(proto, proto.Int64Data, System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian, "INT64", "int64_data", what);

    private static double[] ReadDouble(TensorProto proto, string what) =>
        ReadElements(proto, proto.DoubleData, System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian, "DOUBLE", "double_data", what);

    /// <summary>The elements of an 8-byte element type, from the typed field or from little-endian raw_data.</summary>
    private static T[] ReadElements<T>(TensorProto proto, IList<T> typed, ReadElement<T> readRaw, string typeName, string fieldName, string what)
        where T : unmanaged
    {
        var count = OnnxShapeElementCount(proto);
        if (typed.Count == count) return typed.ToArray();
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (proto.RawData.Length == count * size)
        {
            var values = new T[count];
            var bytes = proto.RawData.Span;
            for (var i = 0; i < values.Length; i++) values[i] = readRaw(bytes.Slice(i * size, size));
            return values;
        }

        throw new InvalidOperationException(
            $"The {what} is {typeName} with shape [{string.Join(",", proto.Dims)}] but holds {typed.Count} {fieldName} elements and {proto.RawData.Length} raw_data bytes.");
    }

    private delegate T ReadElement<T>(ReadOnlySpan<byte> bytes);

    private static long OnnxShapeElementCount(TensorProto proto)
    {
        long count = 1;
        foreach (var size in proto.Dims) count *= size;
        return count;
    }
}

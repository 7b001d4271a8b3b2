using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static TorchSharp.torch;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Converts ONNX tensors (FLOAT, and INT64 for shapes and indices) to TorchSharp tensors.</summary>
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

    private static long[] ReadInt64(TensorProto proto, string what)
    {
        var count = OnnxShapeElementCount(proto);
        if (proto.Int64Data.Count == count) return proto.Int64Data.ToArray();
        if (proto.RawData.Length == count * sizeof(long))
        {
            var values = new long[count];
            var bytes = proto.RawData.Span;
            for (var i = 0; i < values.Length; i++)
                values[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(i * sizeof(long), sizeof(long)));
            return values;
        }

        throw new InvalidOperationException(
            $"The {what} is INT64 with shape [{string.Join(",", proto.Dims)}] but holds {proto.Int64Data.Count} int64_data elements and {proto.RawData.Length} raw_data bytes.");
    }

    private static long OnnxShapeElementCount(TensorProto proto)
    {
        long count = 1;
        foreach (var size in proto.Dims) count *= size;
        return count;
    }
}

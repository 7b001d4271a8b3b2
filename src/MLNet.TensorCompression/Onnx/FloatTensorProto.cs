using Google.Protobuf;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;
using DataLocation = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataLocation;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Converts between float tensors and ONNX <see cref="TensorProto"/> messages: creates FLOAT
/// tensors in raw_data form, and reads FLOAT or DOUBLE tensors in any embedded form as floats.
/// </summary>
public static class FloatTensorProto
{
    /// <summary>Creates a FLOAT tensor whose elements are stored in raw_data (little-endian).</summary>
    /// <param name="name">The tensor's name in the graph.</param>
    /// <param name="shape">Size of each axis; the product must equal the length of <paramref name="data"/>.</param>
    /// <param name="data">The elements in row-major order.</param>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not match the data length.</exception>
    public static TensorProto Create(string name, ReadOnlySpan<long> shape, ReadOnlySpan<float> data)
    {
        var intShape = new int[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] is < 0 or > int.MaxValue)
            {
                throw new ArgumentException($"Tensor '{name}' has an invalid size {shape[i]} in shape {OnnxShape.Format(shape)}.", nameof(shape));
            }

            intShape[i] = (int)shape[i];
        }

        return Create(name, intShape, data);
    }

    /// <summary>Creates a FLOAT tensor whose elements are stored in raw_data (little-endian).</summary>
    /// <param name="name">The tensor's name in the graph.</param>
    /// <param name="shape">Size of each axis; the product must equal the length of <paramref name="data"/>.</param>
    /// <param name="data">The elements in row-major order.</param>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not match the data length.</exception>
    public static TensorProto Create(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        OnnxShape.RequireMatches(name, shape, data.Length);

        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)DataType.Float,
            // The byte array is fresh and never written again, so it can be wrapped without a copy.
            RawData = UnsafeByteOperations.UnsafeWrap(LittleEndianBytes.FromSingles(data)),
        };
        foreach (var size in shape)
        {
            tensor.Dims.Add(size);
        }

        return tensor;
    }

    /// <summary>
    /// Reads a FLOAT or DOUBLE tensor as float data. The elements may be in raw_data or in
    /// float_data / double_data; DOUBLE elements are rounded to float.
    /// </summary>
    /// <param name="tensor">An embedded tensor (external data must have been loaded into it).</param>
    /// <returns>A copy of the tensor's shape and elements.</returns>
    /// <exception cref="OnnxModelException">
    /// The tensor has another element type, its data is still external, a size is invalid, or
    /// the number of stored elements does not match its shape. The message names the tensor.
    /// </exception>
    public static FloatTensorData Read(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var name = tensor.Name;
        if (tensor.DataLocation == DataLocation.External)
        {
            throw new OnnxModelException(
                $"Tensor '{name}' keeps its data in an external file that has not been read; load the model with OnnxModel.Load so its external data is resolved.");
        }

        var shape = new int[tensor.Dims.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            var size = tensor.Dims[i];
            if (size is < 0 or > int.MaxValue)
            {
                throw new OnnxModelException($"Tensor '{name}' has an invalid size {size} in shape {OnnxShape.Format<long>(tensor.Dims.ToArray())}.");
            }

            shape[i] = (int)size;
        }

        var elementCount = OnnxShape.ElementCount(shape);
        if (elementCount > Array.MaxLength)
        {
            throw new OnnxModelException($"Tensor '{name}' has shape {OnnxShape.Format<int>(shape)}, too many elements for one array.");
        }

        var data = tensor.DataType switch
        {
            (int)DataType.Float => ReadFloatElements(tensor, shape, (int)elementCount),
            (int)DataType.Double => ReadDoubleElements(tensor, shape, (int)elementCount),
            _ => throw new OnnxModelException(
                $"Tensor '{name}' has element type {ElementTypeNames.Of(tensor.DataType)}; only FLOAT and DOUBLE tensors can be read as float data."),
        };
        return new FloatTensorData(name, shape, data);
    }

    private static float[] ReadFloatElements(TensorProto tensor, int[] shape, int elementCount)
    {
        if (UsesRawData(tensor, tensor.FloatData.Count, "float_data"))
        {
            CheckRawLength(tensor, shape, elementCount, sizeof(float), "FLOAT");
            return LittleEndianBytes.ToSingles(tensor.RawData.Span);
        }

        CheckTypedCount(tensor, shape, elementCount, tensor.FloatData.Count, "float_data");
        var data = new float[elementCount];
        tensor.FloatData.CopyTo(data, 0);
        return data;
    }

    private static float[] ReadDoubleElements(TensorProto tensor, int[] shape, int elementCount)
    {
        if (UsesRawData(tensor, tensor.DoubleData.Count, "double_data"))
        {
            CheckRawLength(tensor, shape, elementCount, sizeof(double), "DOUBLE");
            return LittleEndianBytes.DoublesToSingles(tensor.RawData.Span);
        }

        CheckTypedCount(tensor, shape, elementCount, tensor.DoubleData.Count, "double_data");
        var data = new float[elementCount];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)tensor.DoubleData[i];
        }

        return data;
    }

    /// <summary>True when the elements are in raw_data; an error when both raw_data and the typed field hold elements.</summary>
    private static bool UsesRawData(TensorProto tensor, int typedCount, string typedField)
    {
        if (tensor.RawData.IsEmpty)
        {
            return false;
        }

        if (typedCount > 0)
        {
            throw new OnnxModelException($"Tensor '{tensor.Name}' holds elements in both raw_data and {typedField}; only one may be used.");
        }

        return true;
    }

    private static void CheckRawLength(TensorProto tensor, int[] shape, int elementCount, int elementSize, string typeName)
    {
        if (tensor.RawData.Length != (long)elementCount * elementSize)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' has shape {OnnxShape.Format<int>(shape)} ({elementCount} elements) but its raw_data holds "
                + $"{tensor.RawData.Length} bytes, i.e. {tensor.RawData.Length / (double)elementSize} {typeName} elements.");
        }
    }

    private static void CheckTypedCount(TensorProto tensor, int[] shape, int elementCount, int storedCount, string typedField)
    {
        if (storedCount != elementCount)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' has shape {OnnxShape.Format<int>(shape)} ({elementCount} elements) but its {typedField} holds {storedCount} values.");
        }
    }
}

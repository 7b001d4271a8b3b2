namespace MLNet.TensorCompression.Onnx;

/// <summary>Element counting and formatting of tensor shapes, for validation messages.</summary>
internal static class OnnxShape
{
    /// <summary>
    /// Product of the sizes, saturated just above <see cref="Array.MaxLength"/> so that no shape can
    /// overflow it; a result above <see cref="Array.MaxLength"/> means "too many elements for an array".
    /// Sizes must be non-negative.
    /// </summary>
    public static long ElementCount(ReadOnlySpan<int> shape)
    {
        const long saturated = (long)int.MaxValue + 1;
        long count = 1;
        foreach (var size in shape)
        {
            // count <= 2^31 and size < 2^31, so the product cannot overflow a long.
            count = Math.Min(count * size, saturated);
        }

        return count;
    }

    /// <summary>Product of a tensor's declared sizes, which a malformed model can make negative or larger than a long.</summary>
    /// <exception cref="OnnxModelException">A size is negative or the product does not fit in a long (names the tensor).</exception>
    public static long ElementCount(Protobuf.TensorProto tensor)
    {
        long count = 1;
        foreach (var size in tensor.Dims)
        {
            if (size < 0)
            {
                throw new OnnxModelException($"Tensor '{tensor.Name}' has an invalid size {size} in shape {Format<long>(tensor.Dims.ToArray())}.");
            }

            try
            {
                count = checked(count * size);
            }
            catch (OverflowException)
            {
                throw new OnnxModelException($"Tensor '{tensor.Name}' has shape {Format<long>(tensor.Dims.ToArray())}, whose element count does not fit in 64 bits.");
            }
        }

        return count;
    }

    /// <summary>Throws unless every size is non-negative and the sizes describe <paramref name="dataLength"/> elements.</summary>
    /// <exception cref="ArgumentException">A size is negative or the sizes do not match the data length (names the tensor).</exception>
    public static void RequireMatches(string name, ReadOnlySpan<int> shape, int dataLength)
    {
        foreach (var size in shape)
        {
            if (size < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has a negative size in shape {Format(shape)}.", nameof(shape));
            }
        }

        var elementCount = ElementCount(shape);
        if (elementCount != dataLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape {Format(shape)} ({elementCount} elements) but {dataLength} values were given.",
                "data");
        }
    }

    /// <summary>Formats a shape as "[3,4]".</summary>
    public static string Format<T>(ReadOnlySpan<T> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Converts between element arrays and the little-endian byte layout ONNX uses for raw_data and
/// external data, independent of the machine's own byte order.
/// </summary>
internal static class LittleEndianBytes
{
    /// <summary>Encodes floats as 4 little-endian bytes each.</summary>
    public static byte[] FromSingles(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(values).ToArray();
        }

        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    /// <summary>Decodes 4-byte little-endian floats; the length must be a multiple of 4.</summary>
    public static float[] ToSingles(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / sizeof(float)];
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }

    /// <summary>Decodes 8-byte little-endian doubles and rounds each to float.</summary>
    public static float[] DoublesToSingles(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / sizeof(double)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * sizeof(double))..]);
        }

        return values;
    }
}

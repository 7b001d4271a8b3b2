using System.Buffers.Binary;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Reads unsigned-byte IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number
/// (0x00000800 | number of dimensions), one big-endian int32 per dimension, then the bytes row-major. Gzip-compressed
/// files (the form MNIST is distributed in, e.g. <c>train-images-idx3-ubyte.gz</c>) are read as well.
/// </summary>
/// <remarks>
/// Sample data, not part of the library: the tool reads <c>evaluate</c>/<c>sweep</c> data with it, and the tests, the
/// benchmarks and the sample compile this same file (a linked Compile item) or see it through InternalsVisibleTo.
/// </remarks>
internal static class IdxFile
{
    private const int UnsignedByteType = 0x08;

    /// <summary>Reads an image file (3 dimensions: count × rows × columns) as floats scaled to [0, 1].</summary>
    /// <param name="path">The .idx3-ubyte file.</param>
    /// <returns>The pixels of all images, row-major, and the dimensions.</returns>
    /// <exception cref="InvalidDataException">The file is not a 3-dimensional unsigned-byte IDX file, or it is truncated.</exception>
    public static (float[] Pixels, int Count, int Rows, int Columns) ReadImages(string path)
    {
        var (dimensions, data) = Read(path, expectedDimensions: 3);
        var pixels = new float[data.Length];
        for (int i = 0; i < data.Length; i++) pixels[i] = data[i] / 255f;
        return (pixels, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>Reads a label file (1 dimension) as integers.</summary>
    /// <param name="path">The .idx1-ubyte file.</param>
    /// <exception cref="InvalidDataException">The file is not a 1-dimensional unsigned-byte IDX file, or it is truncated.</exception>
    public static int[] ReadLabels(string path) => Read(path, expectedDimensions: 1).Data.Select(b => (int)b).ToArray();

    private static (int[] Dimensions, byte[] Data) Read(string path, int expectedDimensions)
    {
        var bytes = Decompressed(path, File.ReadAllBytes(path));
        int headerLength = 4 + 4 * expectedDimensions;
        if (bytes.Length < headerLength)
            throw new InvalidDataException($"IDX file '{path}' is {bytes.Length} bytes long, shorter than its {headerLength}-byte header.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic >> 8 != UnsignedByteType || (magic & 0xFF) != expectedDimensions)
            throw new InvalidDataException($"IDX file '{path}' has magic number 0x{magic:X8}; expected 0x{(UnsignedByteType << 8) | expectedDimensions:X8} (unsigned bytes, {expectedDimensions} dimension(s)).");
        var dimensions = new int[expectedDimensions];
        long count = 1;
        for (int k = 0; k < expectedDimensions; k++)
        {
            dimensions[k] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * k));
            if (dimensions[k] < 0)
                throw new InvalidDataException($"IDX file '{path}' declares a negative size {dimensions[k]} for dimension {k}.");
            count *= dimensions[k];
        }
        if (bytes.Length - headerLength != count)
            throw new InvalidDataException($"IDX file '{path}' should hold {count} data bytes after its header but holds {bytes.Length - headerLength}.");
        return (dimensions, bytes[headerLength..]);
    }

    /// <summary>The bytes themselves, or their gunzipped content when they start with the gzip magic number.</summary>
    private static byte[] Decompressed(string path, byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        try
        {
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            return content.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"IDX file '{path}' is gzip-compressed but does not decompress: {e.Message}", e);
        }
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Reads NumPy <c>.npy</c> arrays (format versions 1.0, 2.0 and 3.0), the interchange every Python pipeline can write with
/// <c>numpy.save</c>: little-endian float32 as is, float64, uint8 (keeping its 0–255 values) and
/// integers (for labels) converted to float32, C order only. Anything else is refused with the file and what is wrong, never guessed at.
/// </summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the whole array as float32 values, row-major, and its shape.</summary>
    /// <exception cref="InvalidDataException">The file is not a .npy array this reader takes; the message names the file and the problem.</exception>
    public static (float[] Values, long[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var (header, dataStart) = Header(path, bytes);
        var fields = Fields(path, header);
        if (fields.FortranOrder)
            throw new InvalidDataException($"NumPy file '{path}' is in Fortran (column-major) order; save it in C order, e.g. numpy.save(path, numpy.ascontiguousarray(array)).");
        long count = 1;
        foreach (long size in fields.Shape) count = checked(count * size);
        int itemSize = fields.Dtype switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, "|u1" or "|i1" => 1, _ => 0 };
        if (itemSize == 0)
            throw new InvalidDataException($"NumPy file '{path}' holds dtype '{fields.Dtype}'; this reader takes float32 ('<f4'), float64 ('<f8', converted), uint8 ('|u1', kept 0–255) and, for labels, int32/int64 ('<i4', '<i8'). Convert with array.astype(numpy.float32).");
        long expected = count * itemSize, present = bytes.Length - dataStart;
        if (present != expected)
            throw new InvalidDataException($"NumPy file '{path}' declares shape ({string.Join(", ", fields.Shape)}) of '{fields.Dtype}', {expected} data bytes, but holds {present} after its header.");
        if (count > Array.MaxLength)
            throw new InvalidDataException($"NumPy file '{path}' holds {count} values, more than one array can hold; save fewer samples.");

        var values = new float[count];
        var data = bytes.AsSpan(dataStart);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = fields.Dtype switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                "<f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
                "|i1" => (sbyte)data[i],
                _ => data[i],
            };
        }
        return (values, fields.Shape);
    }

    /// <summary>The header text and where the data starts, after checking the magic string and the version.</summary>
    private static (string Header, int DataStart) Header(string path, byte[] bytes)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a NumPy .npy file: it does not start with the magic string \\x93NUMPY.");
        int major = bytes[6];
        // Version 1 has a 2-byte header length; versions 2 and 3 a 4-byte one (3 allows UTF-8 in the header).
        int lengthSize = major switch { 1 => 2, 2 or 3 => 4, _ => 0 };
        if (lengthSize == 0)
            throw new InvalidDataException($"NumPy file '{path}' has format version {major}.{bytes[7]}; this reader takes versions 1, 2 and 3.");
        if (bytes.Length < 8 + lengthSize)
            throw new InvalidDataException($"NumPy file '{path}' ends inside its header.");
        long headerLength = lengthSize == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        long dataStart = 8 + lengthSize + headerLength;
        if (dataStart > bytes.Length)
            throw new InvalidDataException($"NumPy file '{path}' declares a {headerLength}-byte header but is only {bytes.Length} bytes long.");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        return (encoding.GetString(bytes, 8 + lengthSize, (int)headerLength), (int)dataStart);
    }

    /// <summary>The dtype, order and shape of the header's Python dict literal, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 28, 28), }</c>.</summary>
    private static (string Dtype, bool FortranOrder, long[] Shape) Fields(string path, string header)
    {
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!header.TrimStart().StartsWith('{') || !descr.Success || !order.Success || !shape.Success)
            throw new InvalidDataException($"NumPy file '{path}' has a header that is not a dict with 'descr', 'fortran_order' and 'shape': {header.Trim()}");
        var sizes = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new long[sizes.Length];
        for (int k = 0; k < sizes.Length; k++)
            if (!long.TryParse(sizes[k].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out dims[k]))
                throw new InvalidDataException($"NumPy file '{path}' has a shape entry '{sizes[k]}' that is not a size: {shape.Value}");
        return (descr.Groups[1].Value, order.Groups[1].Value == "True", dims);
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

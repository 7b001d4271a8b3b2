using System.Text;

namespace MLNet.TensorCompression.Tests.Cli;

/// <summary>Writes .npy files as numpy.save does (format 1.0 unless asked), and malformed ones for the reader's refusals.</summary>
internal static class NpyWriter
{
    public static void Write(string path, float[] values, long[] shape) =>
        WriteRaw(path, "<f4", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A file with the given dtype, shape and data bytes; <paramref name="fortran"/> and <paramref name="major"/> set those header fields.</summary>
    public static void WriteRaw(string path, string dtype, long[] shape, byte[] data, bool fortran = false, byte major = 1)
    {
        string dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '{dtype}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': ({dims}), }}";
        int lengthSize = major == 1 ? 2 : 4;
        // numpy pads the header with spaces and a newline so the data starts on a multiple of 64 bytes.
        int total = 8 + lengthSize + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        file.Write(lengthSize == 2 ? BitConverter.GetBytes((ushort)header.Length) : BitConverter.GetBytes((uint)header.Length));
        file.Write(Encoding.Latin1.GetBytes(header));
        file.Write(data);
    }
}

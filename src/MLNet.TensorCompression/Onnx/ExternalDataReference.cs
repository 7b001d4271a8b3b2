using System.Globalization;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Where an external tensor's bytes are: the "location", "offset" and "length" entries of
/// <see cref="TensorProto.ExternalData"/>, validated so the file stays inside the model's directory.
/// </summary>
internal sealed class ExternalDataReference
{
    public const string LocationKey = "location";
    public const string OffsetKey = "offset";
    public const string LengthKey = "length";

    private ExternalDataReference(string location, long offset, long? length)
    {
        Location = location;
        Offset = offset;
        Length = length;
    }

    /// <summary>The file, relative to the model's directory.</summary>
    public string Location { get; }

    /// <summary>Byte offset of the data in the file.</summary>
    public long Offset { get; }

    /// <summary>Number of bytes, or null for "up to the end of the file".</summary>
    public long? Length { get; }

    /// <summary>Reads and checks the entries of an external tensor.</summary>
    /// <param name="tensor">A tensor whose data_location is EXTERNAL.</param>
    /// <param name="source">The model's source, e.g. "file '/m/model.onnx'", for messages.</param>
    public static ExternalDataReference Parse(TensorProto tensor, string source)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case LocationKey:
                    location = entry.Value;
                    break;
                case OffsetKey:
                    offset = ParseByteCount(tensor, entry, source);
                    break;
                case LengthKey:
                    length = ParseByteCount(tensor, entry, source);
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw new OnnxModelException($"Tensor '{tensor.Name}' in {source} is marked as external data but has no '{LocationKey}' entry.");
        }

        if (!IsPlainRelativePath(location))
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} has external data location '{location}', which is not a relative path inside the model's directory.");
        }

        return new ExternalDataReference(location, offset, length);
    }

    /// <summary>The full path of the data file, which is guaranteed to lie inside <paramref name="directory"/>.</summary>
    public string ResolveIn(string directory, TensorProto tensor, string source)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, Location));
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} has external data location '{Location}', which resolves outside '{root}'.");
        }

        return path;
    }

    /// <summary>
    /// True for a relative path without ".." segments. Both separators are checked, so a model made
    /// on Windows cannot reach outside its directory when read here, and vice versa.
    /// </summary>
    public static bool IsPlainRelativePath(string location)
    {
        if (Path.IsPathRooted(location) || location[0] is '/' or '\\' || (location.Length >= 2 && location[1] == ':'))
        {
            return false;
        }

        return !location.Split('/', '\\').Contains("..");
    }

    private static long ParseByteCount(TensorProto tensor, StringStringEntryProto entry, string source)
    {
        if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} has external data entry '{entry.Key}' = '{entry.Value}', which is not a byte count.");
        }

        return value;
    }
}

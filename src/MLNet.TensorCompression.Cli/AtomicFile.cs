namespace MLNet.TensorCompression.Cli;

/// <summary>Writes a file through a temporary file in the same directory, so a reader never sees half of it.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temporary => File.WriteAllText(temporary, text));

    /// <summary>Lets <paramref name="writeTo"/> fill a temporary file beside <paramref name="path"/>, then moves it into place.</summary>
    public static void Write(string path, Action<string> writeTo)
    {
        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}{Path.GetExtension(fullPath)}");
        try
        {
            writeTo(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Checks a command's file arguments before any work: inputs are files, outputs are writable file targets in existing
/// directories, and no output is an input or another output (compared after resolving full paths and links). A
/// problem is a <see cref="UsageException"/> (exit 2), so nothing is computed and nothing is written.
/// </summary>
internal static class CommandPaths
{
    private static readonly StringComparer PathComparer = OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>Checks <paramref name="inputs"/> and <paramref name="outputs"/>, each named by the option that gave it.</summary>
    /// <exception cref="UsageException">What is wrong, naming the option and the path.</exception>
    public static void Check(IEnumerable<(string Option, string? Path)> inputs, IEnumerable<(string Option, string? Path)> outputs)
    {
        var read = inputs.Where(i => i.Path is not null).Select(i => (i.Option, Path: i.Path!, Identity: Identity(i.Path!))).ToArray();
        foreach (var (option, path, _) in read)
            if (Directory.Exists(path)) throw new UsageException($"{option} '{path}' is a directory, not a file");

        var written = new List<(string Option, string Path, string Identity)>();
        foreach (var (option, path) in outputs.Where(o => o.Path is not null).Select(o => (o.Option, o.Path!)))
        {
            var identity = Identity(path);
            if (read.FirstOrDefault(i => PathComparer.Equals(i.Identity, identity)) is { Option: not null } input)
                throw new UsageException($"{option} '{path}' is the same file as {input.Option} '{input.Path}'; writing it would destroy that input");
            if (written.FirstOrDefault(o => PathComparer.Equals(o.Identity, identity)) is { Option: not null } other)
                throw new UsageException($"{option} '{path}' is the same file as {other.Option} '{other.Path}'; one would overwrite the other");
            var directory = Path.GetDirectoryName(identity);
            if (directory is null || !Directory.Exists(directory))
                throw new UsageException($"{option} '{path}': the directory '{directory}' does not exist");
            try { FileKind.RequireWritableTarget(identity); }
            catch (IOException problem) { throw new UsageException($"{option} {problem.Message}"); }
            written.Add((option, path, identity));
        }
    }

    /// <summary>The full path, with links followed (of the file, and of its directory), so two spellings of one file compare equal.</summary>
    private static string Identity(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var directory = Path.GetDirectoryName(full);
            if (directory is not null && Directory.Exists(directory) && Directory.ResolveLinkTarget(directory, returnFinalTarget: true) is { } realDirectory)
                full = Path.Combine(Path.GetFullPath(realDirectory.FullName), Path.GetFileName(full));
            if (File.Exists(full) && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
                full = Path.GetFullPath(target.FullName);
            return full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}

using System.Diagnostics;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>
/// One hostile run of the command line: <see cref="Arrange"/> puts files in a fresh directory and returns the
/// arguments; the run must end with <see cref="ExpectedCode"/> and, on failure, one stderr line containing
/// <see cref="ExpectedMessage"/>.
/// </summary>
/// <param name="Name">What the probe tries, for the failure list.</param>
/// <param name="ExpectedCode">0, 1 or 2.</param>
/// <param name="ExpectedMessage">Text the stderr line must contain (on failure).</param>
/// <param name="Arrange">Writes the probe's files into the directory and returns the arguments.</param>
internal sealed record CommandLineProbe(string Name, int ExpectedCode, string ExpectedMessage, Func<TemporaryDirectory, string[]> Arrange)
{
    /// <summary>Runs the probe in-process; returns what went wrong, or an empty list.</summary>
    public IReadOnlyList<string> Run()
    {
        using var directory = new TemporaryDirectory();
        var args = Arrange(directory);
        var before = Snapshot(directory.Path);
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code;
        try { code = CommandLineTool.Run(args, output, error); }
        catch (Exception escaped) { return [$"{Name}: {escaped.GetType().Name} escaped: {escaped.Message}"]; }

        var problems = new List<string>();
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (code is not (0 or 1 or 2)) problems.Add($"exit code {code}");
        if (code != ExpectedCode) problems.Add($"exit code {code}, expected {ExpectedCode} ({error.ToString().Trim()})");
        if (code != 0 && lines.Length != 1) problems.Add($"{lines.Length} lines on stderr: {error}");
        if (lines.Any(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) || line.Contains("unexpected", StringComparison.Ordinal)))
            problems.Add($"a stack trace or unexpected exception: {error}");
        if (code != 0 && !error.ToString().Contains(ExpectedMessage, StringComparison.Ordinal)) problems.Add($"stderr lacks '{ExpectedMessage}': {error}");
        var after = Snapshot(directory.Path);
        foreach (var (path, bytes) in before)
        {
            if (!after.TryGetValue(path, out var now)) problems.Add($"input '{path}' disappeared");
            else if (bytes != now && code != 0) problems.Add($"'{path}' changed");
        }
        if (code != 0)
            foreach (var path in after.Keys.Except(before.Keys)) problems.Add($"left behind '{path}'");
        return problems.Select(p => $"{Name}: {p}").ToArray();
    }

    /// <summary>Every entry under the directory (hidden temporary files too) with a digest of its bytes; FIFOs and directories by kind.</summary>
    private static Dictionary<string, string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(path => path, path => FileKind.Of(path) switch
            {
                FileKind.Kind.Regular when new FileInfo(path).LinkTarget is null => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))),
                var kind => kind.ToString(),
            });

    /// <summary>Makes a FIFO at <paramref name="path"/> with mkfifo.</summary>
    public static string Fifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, "mkfifo");
        return path;
    }
}

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// Finds the trained sample models under samples/models in the repository, whatever directory the
/// tests run from: the repository root is the nearest ancestor holding MLNet.TensorCompression.sln.
/// </summary>
internal static class TestModels
{
    private const string SolutionFileName = "MLNet.TensorCompression.sln";

    /// <summary>The repository's root directory.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The directory holding the sample models.</summary>
    public static string Directory => System.IO.Path.Combine(RepositoryRoot, "samples", "models");

    /// <summary>Full path of the sample model <paramref name="fileName"/>, e.g. "lenet5-fashion.onnx".</summary>
    public static string Path(string fileName) => System.IO.Path.Combine(Directory, fileName);

    /// <summary>Full paths of all sample models present, sorted; empty when none are checked in.</summary>
    public static IReadOnlyList<string> All() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*.onnx").Order(StringComparer.Ordinal).ToArray()
            : [];

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above '{AppContext.BaseDirectory}' holds {SolutionFileName}.");
    }
}

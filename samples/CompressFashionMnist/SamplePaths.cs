namespace CompressFashionMnist;

/// <summary>Where the bundled model and data are, found from the repository root so the sample runs from any directory.</summary>
internal sealed record SamplePaths(string Model, string DataDirectory)
{
    public const string DefaultModel = "vgg-fashion.onnx";
    private const string SolutionFile = "MLNet.TensorCompression.sln";

    /// <summary>
    /// The model is <paramref name="model"/> as given (relative to the current directory) if that file exists, else
    /// that name in <c>samples/models</c>, so <c>--model lenet5-fashion.onnx</c> works from anywhere.
    /// </summary>
    public static SamplePaths Find(string? model)
    {
        string samples = Path.Combine(RepositoryRoot(), "samples");
        string modelPath = model is not null && File.Exists(model)
            ? Path.GetFullPath(model)
            : Path.Combine(samples, "models", model ?? DefaultModel);
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model '{model}' in the current directory or in {Path.Combine(samples, "models")}.", modelPath);
        return new SamplePaths(modelPath, Path.Combine(samples, "data"));
    }

    /// <summary>An IDX file of the committed Fashion-MNIST subsets, e.g. <c>DataFile("fashion-test-2000-images.idx3-ubyte")</c>.</summary>
    public string DataFile(string name) => Path.Combine(DataDirectory, name);

    // The build output lives under samples/CompressFashionMnist/bin/..., so walking up always reaches the solution.
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
                return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds {SolutionFile}; run the sample from its build output inside the repository.");
    }
}

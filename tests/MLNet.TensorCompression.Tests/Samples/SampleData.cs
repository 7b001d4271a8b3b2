namespace MLNet.TensorCompression.Tests.Samples;

/// <summary>The committed Fashion-MNIST subsets under samples/data.</summary>
internal static class SampleData
{
    public static string Path(string fileName) => System.IO.Path.Combine(TestModels.RepositoryRoot, "samples", "data", fileName);
}

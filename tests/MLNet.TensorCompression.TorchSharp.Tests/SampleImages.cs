using MLNet.TensorCompression.Data;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>The first images of the committed Fashion-MNIST test subset, as a [N,1,28,28] float batch.</summary>
internal static class SampleImages
{
    private static readonly Lazy<(float[] Pixels, int Rows, int Columns)> All = new(() =>
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(Path.Combine(TestModels.RepositoryRoot, "samples", "data", "fashion-test-2000-images.idx3-ubyte"));
        return (pixels, rows, columns);
    });

    private static readonly Lazy<long[]> AllLabels = new(() =>
        IdxFile.ReadLabels(Path.Combine(TestModels.RepositoryRoot, "samples", "data", "fashion-test-2000-labels.idx1-ubyte")).Select(l => (long)l).ToArray());

    /// <summary>The labels of the first <paramref name="count"/> images.</summary>
    public static long[] Labels(int count) => AllLabels.Value[..count];

    /// <summary>The first <paramref name="count"/> images and their shape [count, 1, rows, columns].</summary>
    public static (float[] Pixels, long[] Shape) First(int count)
    {
        var (pixels, rows, columns) = All.Value;
        return (pixels[..(count * rows * columns)], [count, 1, rows, columns]);
    }
}

using Microsoft.ML.Data;
using MLNet.TensorCompression.Calibration;
using MLNet.TensorCompression.Data;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>One Fashion-MNIST image as the sample models read it, for ML.NET.</summary>
internal sealed class FashionRow
{
    [ColumnName("input")]
    [VectorType(1, 1, 28, 28)]
    public float[] Input { get; set; } = [];

    public float Label { get; set; }
}

/// <summary>The committed 2,000-image Fashion-MNIST training and test subsets under samples/data.</summary>
internal static class FashionSubset
{
    private const int Pixels = 28 * 28;

    public static (CalibrationSet Samples, int[] Labels) Training(int count) => Read("fashion-train-2000", count);

    public static (CalibrationSet Samples, int[] Labels) Test(int count) => Read("fashion-test-2000", count);

    public static FashionRow[] TrainingRows(int count) => Rows(Training(count));

    /// <summary>The first <paramref name="count"/> test images as one batch, with its shape [count, 1, 28, 28].</summary>
    public static (float[] Pixels, long[] Shape) TestBatch(int count) => (Test(count).Samples.Data, [count, 1, 28, 28]);

    /// <summary>The classes of the first <paramref name="count"/> test images, as torch's int64 labels.</summary>
    public static long[] TestLabels(int count) => Test(count).Labels.Select(l => (long)l).ToArray();

    public static FashionRow[] TestRows(int count) => Rows(Test(count));

    private static FashionRow[] Rows((CalibrationSet Samples, int[] Labels) data) =>
        Enumerable.Range(0, data.Samples.Count)
            .Select(i => new FashionRow { Input = data.Samples.Data.AsSpan(i * Pixels, Pixels).ToArray(), Label = data.Labels[i] })
            .ToArray();

    private static (CalibrationSet, int[]) Read(string stem, int count)
    {
        string directory = Path.Combine(TestModels.RepositoryRoot, "samples", "data");
        var (pixels, _, _, _) = IdxFile.ReadImages(Path.Combine(directory, $"{stem}-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(Path.Combine(directory, $"{stem}-labels.idx1-ubyte"));
        return (new CalibrationSet("input", [1, 28, 28], pixels[..(count * Pixels)]), labels[..count]);
    }
}

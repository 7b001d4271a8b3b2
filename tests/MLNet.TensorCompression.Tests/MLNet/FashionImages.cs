using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Tests.Samples;

using MLNet.TensorCompression.Cli;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>One Fashion-MNIST test image as the sample models read it: column <c>input</c>, one [1,1,28,28] sample per row.</summary>
internal sealed class FashionImage
{
    /// <summary>Pixels in [0, 1], row-major.</summary>
    [ColumnName("input")]
    [VectorType(1, 1, 28, 28)]
    public float[] Input { get; set; } = [];

    /// <summary>The class 0–9, as a float: ML.NET's multiclass evaluator reads a float label as the class index.</summary>
    public float Label { get; set; }
}

/// <summary>The sample models' output column, as a prediction engine returns it.</summary>
internal sealed class LogitsRow
{
    /// <summary>Ten class scores.</summary>
    [ColumnName("logits")]
    public float[] Logits { get; set; } = [];
}

/// <summary>The committed 2,000-image Fashion-MNIST test subset, read once.</summary>
internal static class FashionImages
{
    public const int PixelsPerImage = 28 * 28;

    private static readonly Lazy<FashionImage[]> All = new(() => Read("fashion-test-2000"));
    private static readonly Lazy<FashionImage[]> Training = new(() => Read("fashion-train-2000"));

    /// <summary>The first <paramref name="count"/> images (all 2,000 by default); the arrays are shared, do not change them.</summary>
    public static FashionImage[] Take(int count = 2000) => All.Value[..count];

    /// <summary>The first <paramref name="count"/> images as an IDataView.</summary>
    public static IDataView Load(MLContext mlContext, int count = 2000) => mlContext.Data.LoadFromEnumerable(Take(count));

    /// <summary>The first <paramref name="count"/> images' pixels, one after another: an ONNX Runtime batch [count,1,28,28].</summary>
    public static float[] Pixels(int count) => Take(count).SelectMany(image => image.Input).ToArray();

    /// <summary>The first <paramref name="count"/> images of the committed training subset (calibration data, disjoint from the test images).</summary>
    public static IDataView LoadTraining(MLContext mlContext, int count) => mlContext.Data.LoadFromEnumerable(TakeTraining(count));

    /// <summary>The first <paramref name="count"/> images of the committed training subset; the arrays are shared, do not change them.</summary>
    public static FashionImage[] TakeTraining(int count) => Training.Value[..count];

    private static FashionImage[] Read(string stem)
    {
        var (pixels, count, rows, columns) = IdxFile.ReadImages(SampleData.Path($"{stem}-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(SampleData.Path($"{stem}-labels.idx1-ubyte"));
        if (rows * columns != PixelsPerImage || labels.Length != count)
            throw new InvalidDataException($"Expected {count} labelled 28×28 images, got {rows}×{columns} and {labels.Length} labels.");
        return Enumerable.Range(0, count)
            .Select(i => new FashionImage { Input = pixels.AsSpan(i * PixelsPerImage, PixelsPerImage).ToArray(), Label = labels[i] })
            .ToArray();
    }
}

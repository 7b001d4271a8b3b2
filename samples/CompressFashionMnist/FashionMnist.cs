using Microsoft.ML.Data;
using MLNet.TensorCompression.Data;

namespace CompressFashionMnist;

/// <summary>One image as the sample models read it: column <c>input</c>, one [1,1,28,28] sample per row.</summary>
internal sealed class FashionImage
{
    public const int Pixels = 28 * 28;

    /// <summary>Pixels in [0, 1], row-major.</summary>
    [ColumnName("input")]
    [VectorType(1, 1, 28, 28)]
    public float[] Input { get; set; } = [];

    // A float label, not a key: ML.NET's multiclass evaluator reads a float label as the 0-based class index, so no
    // MapValueToKey is needed.
    public float Label { get; set; }
}

/// <summary>Reads the committed Fashion-MNIST subsets (IDX files).</summary>
internal static class FashionMnist
{
    /// <summary>The first <paramref name="count"/> images of <c>{stem}-images.idx3-ubyte</c> with their labels.</summary>
    public static FashionImage[] Read(SamplePaths paths, string stem, int count)
    {
        var (pixels, available, rows, columns) = IdxFile.ReadImages(paths.DataFile($"{stem}-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(paths.DataFile($"{stem}-labels.idx1-ubyte"));
        if (rows * columns != FashionImage.Pixels || labels.Length != available || available < count)
            throw new InvalidDataException($"{stem}: expected at least {count} labelled 28×28 images, found {available} of {rows}×{columns} and {labels.Length} labels.");
        return Enumerable.Range(0, count)
            .Select(i => new FashionImage { Input = pixels.AsSpan(i * FashionImage.Pixels, FashionImage.Pixels).ToArray(), Label = labels[i] })
            .ToArray();
    }

    /// <summary>The pixels of the first <paramref name="count"/> images, one after another: an ONNX Runtime batch [count,1,28,28].</summary>
    public static float[] Batch(FashionImage[] images, int count) => images.Take(count).SelectMany(image => image.Input).ToArray();
}

using Microsoft.ML.Data;

using MLNet.TensorCompression.Cli;

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

/// <summary>Reads Fashion-MNIST IDX files: the committed subsets, or the full set of Debian's dataset-fashion-mnist.</summary>
internal static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the full data set (60,000 training and 10,000 test images).</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The first <paramref name="count"/> images of the committed <c>{stem}-images.idx3-ubyte</c> with their labels.</summary>
    public static FashionImage[] Read(SamplePaths paths, string stem, int count) =>
        Read(paths.DataFile($"{stem}-images.idx3-ubyte"), paths.DataFile($"{stem}-labels.idx1-ubyte"), count);

    /// <summary>The 60,000 training images of Debian's package, or null when it is not installed.</summary>
    public static FashionImage[]? ReadFullTrainingSet()
    {
        string images = Path.Combine(DebianDirectory, "train-images-idx3-ubyte.gz"), labels = Path.Combine(DebianDirectory, "train-labels-idx1-ubyte.gz");
        return File.Exists(images) && File.Exists(labels) ? Read(images, labels, count: null) : null;
    }

    /// <summary>The first <paramref name="count"/> images (all when null) of an IDX image file (gzipped or not) with its label file.</summary>
    public static FashionImage[] Read(string imagesPath, string labelsPath, int? count)
    {
        var (pixels, available, rows, columns) = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(labelsPath);
        count ??= available;
        if (rows * columns != FashionImage.Pixels || labels.Length != available || available < count)
            throw new InvalidDataException($"{imagesPath}: expected at least {count} labelled 28×28 images, found {available} of {rows}×{columns} and {labels.Length} labels.");
        return Enumerable.Range(0, count.Value)
            .Select(i => new FashionImage { Input = pixels.AsSpan(i * FashionImage.Pixels, FashionImage.Pixels).ToArray(), Label = labels[i] })
            .ToArray();
    }

    /// <summary>The pixels of the first <paramref name="count"/> images, one after another: an ONNX Runtime batch [count,1,28,28].</summary>
    public static float[] Batch(FashionImage[] images, int count) => images.Take(count).SelectMany(image => image.Input).ToArray();
}

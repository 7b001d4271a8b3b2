using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNet.TensorCompression.Cli;

namespace TransferLearningResNet18;

/// <summary>One labelled photo as an ML.NET image pipeline reads it: an in-memory image and its class.</summary>
internal sealed class Photo
{
    [ImageType(FashionPhotos.Side, FashionPhotos.Side)]
    public MLImage Image { get; set; } = null!;

    // A float label, not a key: ML.NET's multiclass trainers take it through MapValueToKey like a user's own labels.
    public float Label { get; set; }
}

/// <summary>
/// The labelled image set of this sample: Fashion-MNIST's 28×28 grey photos from the repository's committed subsets,
/// as colour images (grey in every channel) that the pipeline resizes to the featurizer's 224×224, as it would a
/// user's own photos.
/// </summary>
internal static class FashionPhotos
{
    public const int Side = 28;

    /// <summary>The first <paramref name="count"/> photos of <c>samples/data/{stem}-images.idx3-ubyte</c> with their labels.</summary>
    public static Photo[] Read(string dataDirectory, string stem, int count)
    {
        string imagesPath = Path.Combine(dataDirectory, $"{stem}-images.idx3-ubyte");
        var (pixels, available, rows, columns) = IdxFile.ReadImages(imagesPath);
        var labels = IdxFile.ReadLabels(Path.Combine(dataDirectory, $"{stem}-labels.idx1-ubyte"));
        if (rows != Side || columns != Side || available < count || labels.Length != available)
            throw new InvalidDataException($"{imagesPath}: expected at least {count} labelled {Side}×{Side} images, found {available} of {rows}×{columns} and {labels.Length} labels.");
        return Enumerable.Range(0, count)
            .Select(i => new Photo { Image = ToImage(pixels.AsSpan(i * Side * Side, Side * Side)), Label = labels[i] })
            .ToArray();
    }

    // IdxFile gives grey levels in [0, 1]; an image holds bytes, four per pixel (blue, green, red, alpha).
    private static MLImage ToImage(ReadOnlySpan<float> grey)
    {
        var bgra = new byte[grey.Length * 4];
        for (int i = 0; i < grey.Length; i++)
        {
            byte level = (byte)Math.Round(grey[i] * 255);
            bgra[(4 * i) + 0] = bgra[(4 * i) + 1] = bgra[(4 * i) + 2] = level;
            bgra[(4 * i) + 3] = 255;
        }
        return MLImage.CreateFromPixels(Side, Side, MLPixelFormat.Bgra32, bgra);
    }
}

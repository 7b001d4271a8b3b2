using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Tests.Onnx;
using SkiaSharp;

namespace MLNet.TensorCompression.Tests.Cli;

[TestClass]
public sealed class ImageFolderTests
{
    /// <summary>Writes a PNG of one colour.</summary>
    internal static void WritePng(string path, int width, int height, SKColor colour)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour);
        using var file = File.Create(path);
        Assert.IsTrue(bitmap.Encode(file, SKEncodedImageFormat.Png, 100));
    }

    [TestMethod]
    public void ImagesAreResizedOrderedAndNormalisedPerChannel()
    {
        using var directory = new TemporaryDirectory();
        WritePng(directory.File("b.png"), 5, 4, new SKColor(0, 255, 0));
        WritePng(directory.File("a.png"), 7, 3, new SKColor(255, 0, 51));
        WritePng(directory.File("c.png"), 4, 4, new SKColor(0, 0, 255));

        var rgb = new ImageOptions(2, 3, ImageChannels.Rgb, ChannelsLast: false, Mean: [0, 0, 0], Std: [1, 1, 1]);
        var (pixels, shape, files) = ImageFolder.Read(directory.Path, 10, rgb, defaultSize: null);
        CollectionAssert.AreEqual(new long[] { 3, 2, 3 }, shape);
        CollectionAssert.AreEqual(new[] { "a.png", "b.png", "c.png" }, files.Select(Path.GetFileName).ToArray());
        Assert.AreEqual(3 * 18, pixels.Length);
        // a.png, red plane then green then blue, raw 0–255.
        CollectionAssert.AreEqual(new float[] { 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 51, 51, 51, 51, 51, 51 }, pixels[..18]);

        var bgr = rgb with { Channels = ImageChannels.Bgr, ChannelsLast = true, Mean = [0.5f, 0.5f, 0.5f], Std = [0.5f, 0.5f, 0.5f] };
        var (values, bgrShape, _) = ImageFolder.Read(directory.Path, 1, bgr, defaultSize: null);
        ImageFolder.Normalise(values, bgr, bgrShape);
        CollectionAssert.AreEqual(new long[] { 2, 3, 3 }, bgrShape);
        Assert.AreEqual((0.2f - 0.5f) / 0.5f, values[0], 1e-6f, "blue first, (51/255 − 0.5)/0.5");
        Assert.AreEqual(-1f, values[1], 1e-6f);
        Assert.AreEqual(1f, values[2], 1e-6f);
    }

    [TestMethod]
    public void AFileThatDoesNotDecodeIsNamed()
    {
        using var directory = new TemporaryDirectory();
        WritePng(directory.File("a.png"), 4, 4, SKColors.White);
        File.WriteAllBytes(directory.File("broken.jpg"), [0xFF, 0xD8, 0xFF, 0, 1, 2, 3]);
        var options = new ImageOptions(null, null, ImageChannels.Gray, false, [0], [1]);
        var problem = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Read(directory.Path, 10, options, null));
        Assert.Contains("broken.jpg' does not decode", problem.Message);
    }

    [TestMethod]
    public void ImagesOfDifferentSizesNeedASizeToResizeTo()
    {
        using var directory = new TemporaryDirectory();
        WritePng(directory.File("a.png"), 4, 4, SKColors.White);
        WritePng(directory.File("b.png"), 5, 4, SKColors.White);
        var options = new ImageOptions(null, null, ImageChannels.Gray, false, [0], [1]);
        var problem = Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Read(directory.Path, 10, options, null));
        Assert.Contains("b.png' is 5x4 (WxH) but", problem.Message);
        Assert.Contains("--image-size", problem.Message);
        Assert.AreEqual(2, ImageFolder.Read(directory.Path, 10, options, (3, 3)).Files.Length, "the model's size resizes them all");

        using var empty = new TemporaryDirectory();
        Assert.Contains("holds no image", Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Read(empty.Path, 10, options, null)).Message);
    }
}

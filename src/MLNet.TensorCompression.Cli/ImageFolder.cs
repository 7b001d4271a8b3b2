using SkiaSharp;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Reads a folder of PNG/JPEG images (its subfolders too, in ordinal path order, so a run is repeatable) as pixel
/// tensors with values 0–255, decoded and resized with SkiaSharp. A file that does not decode is named in the error.
/// </summary>
internal static class ImageFolder
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    /// <summary>The image files under <paramref name="directory"/>, in ordinal path order.</summary>
    /// <exception cref="InvalidDataException">The folder holds no image file.</exception>
    public static string[] Files(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new InvalidDataException($"The folder '{directory}' holds no image (.png, .jpg or .jpeg files, searched with its subfolders).");
        return files;
    }

    /// <summary>
    /// The first <paramref name="maxImages"/> images, each resized to the options' size, else to <paramref name="defaultSize"/>
    /// (what the model declares), else kept at the first image's size, which every other image must then have.
    /// </summary>
    /// <returns>Pixel values 0–255, sample after sample, and the shape of one sample ([C,H,W], or [H,W,C] for nhwc).</returns>
    /// <exception cref="InvalidDataException">An image does not decode, or its size differs with no size to resize to; the file is named.</exception>
    public static (float[] Pixels, long[] SampleShape, string[] Files) Read(string directory, int maxImages, ImageOptions options, (int Height, int Width)? defaultSize)
    {
        var files = Files(directory).Take(maxImages).ToArray();
        (int Height, int Width)? size = options.Height is { } h && options.Width is { } w ? (h, w) : defaultSize;
        float[]? pixels = null;
        int sampleSize = 0;
        for (int i = 0; i < files.Length; i++)
        {
            using var decoded = SKBitmap.Decode(files[i])
                ?? throw new InvalidDataException($"The image '{files[i]}' does not decode as PNG or JPEG; remove or replace it.");
            if (size is null) size = (decoded.Height, decoded.Width);
            else if (options.Height is null && defaultSize is null && (decoded.Height, decoded.Width) != size)
                throw new InvalidDataException($"The image '{files[i]}' is {decoded.Width}x{decoded.Height} (WxH) but '{files[0]}' is {size.Value.Width}x{size.Value.Height}; give {ImageFlags.SizeFlag} HxW to resize every image to one size.");
            if (pixels is null)
            {
                sampleSize = options.ChannelCount * size.Value.Height * size.Value.Width;
                pixels = new float[(long)sampleSize * files.Length];
            }
            Write(files[i], decoded, size.Value, options, pixels.AsSpan(i * sampleSize, sampleSize));
        }
        var (height, width) = size!.Value;
        long[] shape = options.ChannelsLast ? [height, width, options.ChannelCount] : [options.ChannelCount, height, width];
        return (pixels!, shape, files);
    }

    /// <summary>(value / 255 − mean[c]) / std[c] for every value, in place.</summary>
    public static void Normalise(float[] pixels, ImageOptions options, long[] sampleShape)
    {
        int channels = options.ChannelCount;
        long sampleSize = sampleShape.Aggregate(1L, (a, b) => a * b), planeSize = sampleSize / channels;
        for (long i = 0; i < pixels.LongLength; i++)
        {
            long inSample = i % sampleSize;
            int c = (int)(options.ChannelsLast ? inSample % channels : inSample / planeSize);
            pixels[i] = (pixels[i] / 255f - options.Mean[c]) / options.Std[c];
        }
    }

    /// <summary>Resizes <paramref name="image"/> and writes its channels into <paramref name="sample"/> in the options' order and layout.</summary>
    private static void Write(string file, SKBitmap image, (int Height, int Width) size, ImageOptions options, Span<float> sample)
    {
        // One colour type whatever the file had (gray, palette, 16-bit), with alpha not premultiplied.
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = new SKBitmap(info);
        if (!image.ScalePixels(resized, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)))
            throw new InvalidDataException($"SkiaSharp could not resize the image '{file}' to {size.Width}x{size.Height}.");
        var rgba = resized.GetPixelSpan();
        int plane = size.Height * size.Width, channels = options.ChannelCount;
        for (int p = 0; p < plane; p++)
        {
            float r = rgba[4 * p], g = rgba[4 * p + 1], b = rgba[4 * p + 2];
            for (int c = 0; c < channels; c++)
            {
                float value = options.Channels switch
                {
                    ImageChannels.Gray => 0.299f * r + 0.587f * g + 0.114f * b,
                    ImageChannels.Bgr => c == 0 ? b : c == 1 ? g : r,
                    _ => c == 0 ? r : c == 1 ? g : b,
                };
                sample[options.ChannelsLast ? p * channels + c : c * plane + p] = value;
            }
        }
    }
}

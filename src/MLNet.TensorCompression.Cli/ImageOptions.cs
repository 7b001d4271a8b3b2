using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>Colour channels an image is turned into, in this order.</summary>
internal enum ImageChannels { Rgb, Bgr, Gray }

/// <summary>
/// How a folder of images becomes model inputs: the size every image is resized to (null: the size the model declares,
/// else the images' own, which must then agree), the channels and their order, the layout, and the normalisation
/// (value / 255 − mean) / std per channel — torchvision's convention; mean 0 and std 1 give values in [0, 1].
/// </summary>
internal sealed record ImageOptions(int? Height, int? Width, ImageChannels Channels, bool ChannelsLast, float[] Mean, float[] Std)
{
    public const string SizeFlag = "--image-size";
    public const string MeanFlag = "--mean";
    public const string StdFlag = "--std";
    public const string ChannelsFlag = "--channels";
    public const string LayoutFlag = "--layout";

    /// <summary>Every image flag (all take a value).</summary>
    public static readonly string[] Flags = [SizeFlag, MeanFlag, StdFlag, ChannelsFlag, LayoutFlag];

    /// <summary>Number of channels per pixel.</summary>
    public int ChannelCount => Channels == ImageChannels.Gray ? 1 : 3;

    /// <summary>The options the image flags on <paramref name="line"/> ask for.</summary>
    /// <exception cref="UsageException">A value is malformed; the message names the flag.</exception>
    public static ImageOptions Read(CommandLine line)
    {
        int? height = null, width = null;
        if (line.String(SizeFlag) is { } size)
        {
            var parts = size.ToLowerInvariant().Split('x');
            if (parts.Length is < 1 or > 2) throw new UsageException($"{SizeFlag} must be HxW (e.g. 224x224) or one size for both; got '{size}'");
            height = CommandLine.WholeNumber(SizeFlag, parts[0], minimum: 1);
            width = parts.Length == 2 ? CommandLine.WholeNumber(SizeFlag, parts[1], minimum: 1) : height;
        }
        var channels = line.Choice(ChannelsFlag, new Dictionary<string, ImageChannels> { ["rgb"] = ImageChannels.Rgb, ["bgr"] = ImageChannels.Bgr, ["gray"] = ImageChannels.Gray }) ?? ImageChannels.Rgb;
        bool channelsLast = line.Choice(LayoutFlag, new Dictionary<string, bool> { ["nchw"] = false, ["nhwc"] = true }) ?? false;
        int count = channels == ImageChannels.Gray ? 1 : 3;
        var mean = PerChannel(line, MeanFlag, count, 0f, f => true, "a number");
        var std = PerChannel(line, StdFlag, count, 1f, f => f > 0, "a positive number");
        return new ImageOptions(height, width, channels, channelsLast, mean, std);
    }

    /// <summary>One value per channel: a comma-separated list of one value (for every channel) or one per channel.</summary>
    private static float[] PerChannel(CommandLine line, string flag, int channels, float absent, Func<float, bool> valid, string what)
    {
        var text = line.String(flag);
        if (text is null) return Enumerable.Repeat(absent, channels).ToArray();
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
            float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) && valid(v) ? v
            : throw new UsageException($"{flag}: '{part}' is not {what}")).ToArray();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length != channels) throw new UsageException($"{flag} needs 1 or {channels} values (one per channel); got {values.Length}");
        return values;
    }

    /// <summary>True when any flag changes the normalisation (which a preprocessing model replaces).</summary>
    public static bool Normalises(CommandLine line) => line.String(MeanFlag) is not null || line.String(StdFlag) is not null;
}

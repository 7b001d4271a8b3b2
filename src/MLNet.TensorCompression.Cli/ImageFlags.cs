using System.CommandLine;
using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>The flags that say how a folder of images becomes samples, and the one function that reads them into <see cref="ImageOptions"/>.</summary>
internal sealed class ImageFlags
{
    /// <summary>The flag that resizes the images (named by messages about images of different sizes).</summary>
    public const string SizeFlag = "--image-size";

    /// <summary><c>--image-size HxW</c> (or one size for both): height and width.</summary>
    public Option<(int Height, int Width)?> Size { get; } = CommandOptions.Value<(int, int)?>(SizeFlag, "HxW",
        "resize to this (default: the size the model declares, else the images' own)", size =>
        {
            var parts = size.ToLowerInvariant().Split('x');
            if (parts.Length is < 1 or > 2) throw new UsageException($"{SizeFlag} must be HxW (e.g. 224x224) or one size for both; got '{size}'");
            int height = CommandOptions.WholeNumber(SizeFlag, parts[0], minimum: 1);
            return (height, parts.Length == 2 ? CommandOptions.WholeNumber(SizeFlag, parts[1], minimum: 1) : height);
        });

    /// <summary><c>--channels</c>.</summary>
    public Option<ImageChannels?> Channels { get; } = CommandOptions.Choice("--channels",
        new Dictionary<string, ImageChannels> { ["rgb"] = ImageChannels.Rgb, ["bgr"] = ImageChannels.Bgr, ["gray"] = ImageChannels.Gray },
        "channels and their order (default rgb)");

    /// <summary><c>--layout</c>: true for channels last.</summary>
    public Option<bool?> Layout { get; } = CommandOptions.Choice("--layout", new Dictionary<string, bool> { ["nchw"] = false, ["nhwc"] = true },
        "planar [C,H,W] (default) or interleaved [H,W,C] samples");

    /// <summary><c>--mean</c>: one value for every channel, or one per channel.</summary>
    public Option<float[]> Mean { get; } = PerChannel("--mean", "M[,M,M]", "values (pixel/255 − mean)/std per channel (default 0: [0, 1])", _ => true, "a number");

    /// <summary><c>--std</c>: one value for every channel, or one per channel.</summary>
    public Option<float[]> Std { get; } = PerChannel("--std", "S[,S,S]", "the std of (pixel/255 − mean)/std per channel (default 1)", value => value > 0, "a positive number");

    /// <summary>Every flag, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Size, Channels, Layout, Mean, Std];

    /// <summary>The options the image flags in <paramref name="parse"/> ask for.</summary>
    /// <exception cref="UsageException">A per-channel flag has neither 1 value nor one per channel.</exception>
    public ImageOptions Read(ParseResult parse)
    {
        var size = parse.GetValue(Size);
        var channels = parse.GetValue(Channels) ?? ImageChannels.Rgb;
        int count = channels == ImageChannels.Gray ? 1 : 3;
        return new ImageOptions(size?.Height, size?.Width, channels, parse.GetValue(Layout) ?? false,
            ForEachChannel(parse, Mean, count, absent: 0f), ForEachChannel(parse, Std, count, absent: 1f));
    }

    /// <summary>True when any flag changes the normalisation (which a preprocessing model replaces).</summary>
    public bool Normalises(ParseResult parse) => parse.GetResult(Mean) is not null || parse.GetResult(Std) is not null;

    private static Option<float[]> PerChannel(string name, string helpName, string description, Func<float, bool> valid, string what) =>
        CommandOptions.List(name, helpName, description, part =>
            float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) && valid(v) ? v
            : throw new UsageException($"{name}: '{part}' is not {what}"));

    /// <summary>The flag's values, one per channel: a single value stands for every channel.</summary>
    private static float[] ForEachChannel(ParseResult parse, Option<float[]> option, int channels, float absent)
    {
        var values = parse.GetValue(option) ?? [];
        if (values.Length == 0) return Enumerable.Repeat(absent, channels).ToArray();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length != channels) throw new UsageException($"{option.Name} needs 1 or {channels} values (one per channel); got {values.Length}");
        return values;
    }
}

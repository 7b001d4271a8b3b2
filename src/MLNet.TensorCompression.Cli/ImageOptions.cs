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
    /// <summary>Number of channels per pixel.</summary>
    public int ChannelCount => Channels == ImageChannels.Gray ? 1 : 3;
}

using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Fitting;

/// <summary>Where a convolution reads its input: kernel size, strides, dilations and the top/left padding.</summary>
internal sealed record ConvolutionGeometry(int KernelHeight, int KernelWidth, int StrideY, int StrideX, int DilationY, int DilationX, int PadTop, int PadLeft)
{
    /// <summary>Reads the geometry of <paramref name="layer"/> for an input of <paramref name="inputHeight"/> × <paramref name="inputWidth"/>.</summary>
    public static ConvolutionGeometry Of(CompressibleLayer layer, int inputHeight, int inputWidth)
    {
        int kh = layer.Weight.Shape[2], kw = layer.Weight.Shape[3];
        var attributes = layer.ConvolutionAttributes.ToDictionary(a => a.Name, StringComparer.Ordinal);
        long[] Ints(string name, long fallback, int count) =>
            attributes.TryGetValue(name, out var a) && a.Ints.Count == count ? a.Ints.ToArray() : Enumerable.Repeat(fallback, count).ToArray();
        var strides = Ints("strides", 1, 2);
        var dilations = Ints("dilations", 1, 2);
        var pads = Ints("pads", 0, 4);
        string autoPad = attributes.TryGetValue("auto_pad", out var mode) ? mode.S.ToStringUtf8() : "NOTSET";
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            // ONNX: output = ceil(input / stride); the padding that makes it so is split, the odd one at the end (UPPER) or start (LOWER).
            int Total(int input, long stride, long dilation, int kernel) =>
                (int)Math.Max(0, (((input + stride - 1) / stride) - 1) * stride + ((kernel - 1) * dilation) + 1 - input);
            int totalY = Total(inputHeight, strides[0], dilations[0], kh), totalX = Total(inputWidth, strides[1], dilations[1], kw);
            pads = autoPad == "SAME_UPPER" ? [totalY / 2, totalX / 2, 0, 0] : [totalY - (totalY / 2), totalX - (totalX / 2), 0, 0];
        }
        else if (autoPad == "VALID")
        {
            pads = [0, 0, 0, 0];
        }
        return new ConvolutionGeometry(kh, kw, (int)strides[0], (int)strides[1], (int)dilations[0], (int)dilations[1], (int)pads[0], (int)pads[1]);
    }
}

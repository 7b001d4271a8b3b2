namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// The sliding-window geometry shared by Conv and the pooling ops (strides, dilations, pads, auto_pad), parsed once;
/// pads are resolved per call because SAME_UPPER/SAME_LOWER depend on the input's spatial size.
/// </summary>
internal sealed class SpatialWindow
{
    private readonly string autoPad;
    private readonly long[]? strides;
    private readonly long[]? dilations;
    private readonly long[]? pads;

    public SpatialWindow(OpNode node)
    {
        var attributes = node.Attributes;
        autoPad = attributes.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
            throw new NotSupportedException($"{node.Description} has auto_pad '{autoPad}'.");
        strides = attributes.Ints("strides");
        dilations = attributes.Ints("dilations");
        pads = attributes.Ints("pads");
        KernelShape = attributes.Ints("kernel_shape");
    }

    /// <summary>The kernel_shape attribute, or null when absent (Conv then takes it from the weight).</summary>
    public long[]? KernelShape { get; }

    public long[] Strides(int spatialRank) => strides ?? Ones(spatialRank);

    public long[] Dilations(int spatialRank) => dilations ?? Ones(spatialRank);

    /// <summary>ONNX pads for this call: all begins, then all ends.</summary>
    /// <param name="inputSpatial">The input's spatial sizes.</param>
    /// <param name="kernel">The kernel's spatial sizes.</param>
    public long[] Pads(ReadOnlySpan<long> inputSpatial, ReadOnlySpan<long> kernel)
    {
        var rank = kernel.Length;
        switch (autoPad)
        {
            case "VALID":
                return new long[2 * rank];
            case "SAME_UPPER":
            case "SAME_LOWER":
                var same = new long[2 * rank];
                var stride = Strides(rank);
                var dilation = Dilations(rank);
                for (var i = 0; i < rank; i++)
                {
                    var output = (inputSpatial[i] + stride[i] - 1) / stride[i];
                    var total = Math.Max(0, (output - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - inputSpatial[i]);
                    // SAME_UPPER puts the odd extra pixel at the end, SAME_LOWER at the beginning.
                    var begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    same[i] = begin;
                    same[rank + i] = total - begin;
                }

                return same;
            default:
                return pads ?? new long[2 * rank];
        }
    }

    /// <summary>Whether each axis pads the same at both ends (then torch's symmetric padding argument can take them).</summary>
    public static bool IsSymmetric(long[] pads)
    {
        var rank = pads.Length / 2;
        for (var i = 0; i < rank; i++)
            if (pads[i] != pads[rank + i]) return false;
        return true;
    }

    /// <summary>ONNX pads (begins, then ends, first axis first) in torch's F.pad order (last axis first, begin then end).</summary>
    public static long[] ToTorchPadOrder(long[] pads)
    {
        var rank = pads.Length / 2;
        var torchPads = new long[2 * rank];
        for (var i = 0; i < rank; i++)
        {
            var axis = rank - 1 - i;
            torchPads[2 * i] = pads[axis];
            torchPads[2 * i + 1] = pads[rank + axis];
        }

        return torchPads;
    }

    private static long[] Ones(int rank) => Enumerable.Repeat(1L, rank).ToArray();
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// What a factorised convolution op does around its channel factors, whatever the format (Garipov et al. 2016):
/// <list type="number">
/// <item>the spatial factor, r filters [r, 1, kh, kw], runs on every input channel separately: one Conv with
/// group = C_in over the filters tiled C_in times (tiled on constants, folded at session load), with the layer's own
/// strides, pads, dilations and auto_pad → [B, C_in·r, H', W'] — faster in ONNX Runtime than folding the channels into
/// the batch;</item>
/// <item>its channels read (c_most … c_least, r): the channel factors from the most significant, which is why the
/// tensorization orders its channel modes from the least significant — the rank sits next to the factor the first
/// channel step contracts;</item>
/// <item>the channel chain (pixels H'·W' are its run-time tail), ending in (s_most … s_least) = C_out;</item>
/// <item>reshaped to [B, C_out, H', W'] (H', W' read from the spatial Conv's output at run time), plus the bias.</item>
/// </list>
/// When the kernel is rebuilt, the original Conv runs on it instead.
/// </summary>
internal static class ConvLayerFrame
{
    // The Conv attributes that shape the output grid; group must be 1 and kernel_shape follows from the kernel.
    private static readonly (string Name, AttributeType Type)[] GeometryAttributes =
        [("auto_pad", AttributeType.String), ("dilations", AttributeType.Ints), ("pads", AttributeType.Ints), ("strides", AttributeType.Ints)];

    /// <summary>
    /// The chain's starting axes after the spatial Conv: the input-channel factors of modes d…1 (the most significant
    /// first), then the spatial factor's rank.
    /// </summary>
    public static IReadOnlyList<ChainAxis> ChannelAxes(Tensorization tensorization, ChainAxis spatialRank) =>
        Enumerable.Range(1, tensorization.ModeSizes.Count - 1).Reverse()
            .Select(mode => new ChainAxis(ChainAxis.InputKey(mode), tensorization.ModeFactors[mode][0]))
            .Append(spatialRank).ToArray();

    /// <summary>
    /// The spatial factor as Conv filters [r, 1, kh, kw], from a matrix [kh·kw, r] (the TT core 0 or the HT leaf frame of mode 0).
    /// </summary>
    public static FactorTensor SpatialKernel(string role, double[] frame, Tensorization tensorization, int rank)
    {
        int kh = tensorization.ModeFactors[0][0], kw = tensorization.ModeFactors[0][1];
        return new FactorTensor(role, [rank, 1, kh, kw], FactorLayout.Permute(frame, [kh * kw, rank], [1, 0]));
    }

    /// <summary>
    /// Node attributes describing the factorisation: <c>kernel</c> [kh, kw], <c>in_channel_modes</c> c_j and
    /// <c>out_channel_modes</c> s_j for j = 1 … d (the least significant factor first), <c>ranks</c> (TT bonds, or HT
    /// nodes in pre-order) and, for HT, the <c>tree</c> over modes 0 … d (mode 0 spatial). A split layout adds <c>layout</c> =
    /// <c>split</c>; its channel modes are listed from the most significant factor (modes c…, kh·kw, s…).
    /// </summary>
    public static IReadOnlyList<AttributeProto> DescriptiveAttributes(Tensorization tensorization, IReadOnlyList<int> ranks, DimensionTree? tree)
    {
        bool split = tensorization.Layout == TensorLayout.Split;
        int spatialMode = split ? tensorization.LeadingModeCount : 0;
        var channelModes = tensorization.ModeFactors.Skip(1).ToArray();
        var attributes = new List<AttributeProto>
        {
            OnnxAttributes.Ints("kernel", tensorization.ModeFactors[spatialMode]),
            OnnxAttributes.Ints("in_channel_modes", split ? tensorization.ModeFactors.Take(spatialMode).Select(f => f[0]) : channelModes.Select(f => f[0])),
            OnnxAttributes.Ints("out_channel_modes", split ? tensorization.ModeFactors.Skip(spatialMode + 1).Select(f => f[0]) : channelModes.Select(f => f[1])),
            OnnxAttributes.Ints("ranks", ranks),
        };
        if (split) attributes.Add(OnnxAttributes.String("layout", "split"));
        if (tree is not null) attributes.Add(OnnxAttributes.String("tree", tree.ToString()));
        return attributes;
    }

    /// <summary>Multiply-adds of the spatial Conv per output pixel: C_in·r·kh·kw.</summary>
    public static long SpatialMacsPerPixel(CompressibleLayer layer, int spatialRank) =>
        (long)layer.InputSize * spatialRank * layer.Weight.Shape[2] * layer.Weight.Shape[3];

    /// <summary>The bias as the body adds it: [C_out, 1, 1] after the chain, or [C_out] as the rebuilt Conv's B; null when the layer has none.</summary>
    public static FactorTensor? Bias(CompressibleLayer layer, LayerExecutionMode mode) =>
        layer.Bias is null ? null
        : new FactorTensor("bias", mode == LayerExecutionMode.Factorized ? [layer.OutputSize, 1, 1] : [layer.OutputSize], layer.Bias);

    /// <summary>Writes the factorised convolution: spatial (grouped) Conv, channel chain, output reshape, bias.</summary>
    public static void EmitFactorized(OpBodyBuilder body, CompressibleLayer layer, string spatialKernelRole, int spatialRank, ContractionChain chain, OpBodyNames io)
    {
        var filters = body.Node("Tile", "spatial_filters", [io.Factor(spatialKernelRole), body.LayerInts("filter_repeats", [layer.InputSize, 1, 1, 1])]);
        var attributes = LayerGeometry(body, layer).Append(body.LayerInt("group", "in_channels", layer.InputSize)).ToArray();
        var spatial = body.Node("Conv", "spatial", [io.Input, filters], attributes);
        // The chain's first reshape views [B, C_in·r, H', W'] as [B, …, H'·W'] directly.
        var state = chain.Emit(body, spatial, io.Factor);
        var outputGrid = body.ShapeSlice("output_grid", spatial, 2, long.MaxValue);
        var outputShape = body.Node("Concat", "output_shape", [body.LayerInts("output_channels", [0, layer.OutputSize]), outputGrid], OnnxAttributes.Int("axis", 0));
        body.NodeToBiasedOutput("Reshape", [state, outputShape], io);
    }

    /// <summary>
    /// Writes the rebuilt convolution: the dense tensor in mode order is reordered into the kernel [C_out, C_in, kh, kw]
    /// (the tensorization's own reorder, so any layout) and the original Conv runs on it.
    /// </summary>
    public static void EmitDense(OpBodyBuilder body, CompressibleLayer layer, Tensorization tensorization, string modeOrderKernel, OpBodyNames io)
    {
        var split = tensorization.FactorShape.Select(f => (long)f).ToArray();
        var splitView = body.Node("Reshape", "kernel_split", [modeOrderKernel, body.LayerInts("split_shape", split)]);
        var reordered = body.Node("Transpose", "kernel_reordered", [splitView], OnnxAttributes.Ints("perm", DensePermutation(tensorization).Select(a => (long)a)));
        EmitDenseReordered(body, layer, reordered, io);
    }

    /// <summary>The Transpose from the tensor's factor axes (<see cref="Tensorization.FactorShape"/>) to the kernel's.</summary>
    public static int[] DensePermutation(Tensorization tensorization) => tensorization.UnfoldPermutation();

    /// <summary>Writes the original Conv on the kernel given with its factor axes in the kernel's order (<see cref="DensePermutation"/>).</summary>
    public static void EmitDenseReordered(OpBodyBuilder body, CompressibleLayer layer, string reordered, OpBodyNames io)
    {
        var kernel = body.Node("Reshape", "kernel", [reordered, body.LayerInts("weight_shape", layer.Weight.Shape.Select(s => (long)s).ToArray())]);
        body.NodeTo("Conv", "output", io.Output, io.Bias is null ? [io.Input, kernel] : [io.Input, kernel, io.Bias], LayerGeometry(body, layer));
    }

    /// <summary>The layer's strides, pads, dilations and auto_pad for a body Conv (in a function, references to the caller's).</summary>
    public static AttributeProto[] LayerGeometry(OpBodyBuilder body, CompressibleLayer layer) => body.LayerAttributes(Geometry(layer), GeometryAttributes);

    /// <summary>The layer's strides, pads, dilations and auto_pad, after checking that nothing else changes the op.</summary>
    private static AttributeProto[] Geometry(CompressibleLayer layer)
    {
        var geometry = new List<AttributeProto>();
        foreach (var attribute in layer.ConvolutionAttributes)
        {
            switch (attribute.Name)
            {
                case "group" when attribute.I == 1:
                    break;
                case "kernel_shape" when attribute.Ints.SequenceEqual([layer.Weight.Shape[2], layer.Weight.Shape[3]]):
                    break;
                case var name when GeometryAttributes.Any(g => g.Name == name):
                    geometry.Add(attribute);
                    break;
                default:
                    throw new ArgumentException(
                        $"Layer '{layer.Name}': the Conv attribute {attribute.Name} ({attribute}) cannot be carried by a factorised convolution; only group 1, its kernel's kernel_shape, strides, pads, dilations and auto_pad can.");
            }
        }
        return geometry.ToArray();
    }
}

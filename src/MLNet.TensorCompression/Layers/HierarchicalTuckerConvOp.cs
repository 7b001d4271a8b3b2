using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Layers;

/// <summary>
/// <c>HTConv</c>: a convolution whose kernel is an HT tensor over the modes (kh·kw), (c₁·s₁) … (c_d·s_d), channel mode 1
/// the least significant; the tree's leaf 0 is the spatial mode.
/// <para>
/// Factorized: the spatial leaf frame U₀ [kh·kw, r₀] runs as a Conv with r₀ filters over every input channel
/// separately (<see cref="ConvLayerFrame"/>); the rest of the tree is contracted as a MatMul chain
/// (<see cref="HierarchicalTuckerChain"/>) over the axes (c_d … c₁, r₀) and the pixels, with a Transpose only where an
/// inner child's rank is not next to its sibling's.
/// </para>
/// <para>Reconstructed: the factors rebuild the kernel in the graph (<see cref="HierarchicalTuckerRebuild"/>), then the layer's Conv runs.</para>
/// </summary>
internal sealed class HierarchicalTuckerConvOp : FactorizedOp
{
    private readonly HierarchicalTucker tucker;
    private readonly ContractionChain? chain;

    /// <summary>Lays out the factors for the given mode.</summary>
    public HierarchicalTuckerConvOp(FactorizedWeight weight, ExecutionMode mode) : base(weight, mode)
    {
        tucker = weight.HierarchicalTucker ?? throw new ArgumentException($"Layer '{weight.Layer.Name}' is not in HT format.", nameof(weight));
        Bias = ConvLayerFrame.Bias(Layer, mode);
        if (mode == ExecutionMode.Reconstructed)
        {
            Factors = HierarchicalTuckerRebuild.Factors(tucker);
            return;
        }
        var spatialLeaf = SpatialLeaf;
        var tensorization = weight.Tensorization;
        chain = new ContractionChain(ConvLayerFrame.ChannelAxes(tensorization, new ChainAxis(ChainAxis.RankKey(spatialLeaf.Id), SpatialRank)), dynamicTail: true);
        var channelFactors = HierarchicalTuckerChain.Plan(tucker, tensorization, chain, outputFactor: 1, reversed: true, alreadyApplied: spatialLeaf);
        var spatialKernel = ConvLayerFrame.SpatialKernel(HierarchicalTuckerRoles.Of(spatialLeaf), tucker.Factors[spatialLeaf.Id], tensorization, SpatialRank);
        // Inputs follow node ids; the spatial leaf's id is its place among them.
        Factors = channelFactors.Take(spatialLeaf.Id).Append(spatialKernel).Concat(channelFactors.Skip(spatialLeaf.Id)).ToArray();
    }

    private DimensionTreeNode SpatialLeaf => tucker.Tree.Leaves[0];

    private int SpatialRank => tucker.Ranks[SpatialLeaf.Id];

    /// <inheritdoc />
    public override string Name => "HTConv";

    /// <inheritdoc />
    public override string Description => Mode == ExecutionMode.Factorized
        ? "Convolution with an HT kernel over modes (kh*kw), (c1*s1)..(cd*sd), channel mode 1 least significant: leaf0 as a Conv with r0 filters "
          + "[r0,1,kh,kw] on every input channel, then the rest of the tree leaves-to-root (post-order) as a chain of MatMuls; inputs: X, per tree node "
          + "(pre-order ids) leaf<mode> or transfer<id> laid out for the chain, optional bias [C_out,1,1]."
        : "Convolution with an HT kernel: rebuilds the kernel from the factors (constant-folded at session load), then runs the Conv; "
          + "inputs: X, leaf<mode> [n_k, r_k], transfer<id> [r_left, r_right*r_t], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <inheritdoc />
    public override long MacsPerApplication =>
        chain is null ? Layer.WeightCount : ConvLayerFrame.SpatialMacsPerPixel(Layer, SpatialRank) + chain.MacsPerApplication;

    /// <inheritdoc />
    protected override string Structure => tucker.Tree.ToString();

    /// <inheritdoc />
    protected override string Variant => "";

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        if (chain is not null)
        {
            ConvLayerFrame.EmitFactorized(body, Layer, HierarchicalTuckerRoles.Of(SpatialLeaf), SpatialRank, chain, io);
            return;
        }
        ConvLayerFrame.EmitDense(body, Layer, Weight.Tensorization, HierarchicalTuckerRebuild.Emit(body, tucker, io), io);
    }
}

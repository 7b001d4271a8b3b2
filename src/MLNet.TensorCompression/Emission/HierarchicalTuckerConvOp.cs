using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>HTConv</c>, factorised form: a convolution whose kernel is an HT tensor over the modes (kh·kw), (c₁·s₁) … (c_d·s_d), channel mode 1
/// the least significant; the tree's leaf 0 is the spatial mode.
/// <para>
/// Factorized: the spatial leaf frame U₀ [kh·kw, r₀] runs as a Conv with r₀ filters over every input channel
/// separately (<see cref="ConvLayerFrame"/>); then, with the schedule that needs the fewest multiply-adds (it is in the
/// overload), <c>train</c>: when the tree reads as a train (<see cref="HierarchicalTuckerTrain"/>), the body computes
/// the channel cores from the HT factors (folded at session load) and runs the transpose-free
/// <see cref="TensorTrainChain"/>; <c>tree</c>: otherwise, leaves first along the tree
/// (<see cref="HierarchicalTuckerTreeChain"/>) over the axes (c_d … c₁, r₀) and the pixels.
/// </para>
/// </summary>
internal sealed class HierarchicalTuckerConvOp : FactorizedOp
{
    private readonly HierarchicalTucker tucker;
    private readonly HierarchicalTuckerSchedule schedule;

    /// <summary>Lays out the factors for the cheapest schedule.</summary>
    public HierarchicalTuckerConvOp(FactorizedWeight weight, HierarchicalTucker tucker) : base(weight)
    {
        this.tucker = tucker;
        Bias = ConvLayerFrame.Bias(Layer, LayerExecutionMode.Factorized);
        var tensorization = weight.Tensorization;
        var spatialKernel = ConvLayerFrame.SpatialKernel(HierarchicalTuckerRoles.Of(SpatialLeaf), tucker.Factors[SpatialLeaf.Id], tensorization, SpatialRank);
        var candidates = new List<HierarchicalTuckerSchedule>();
        // Boundary 1 is always crossed by leaf 0's edge alone, so a train's b₁ is the spatial rank.
        if (HierarchicalTuckerTrain.TryCreate(tucker, tensorization) is { } train)
        {
            var chain = TensorTrainChain.PlanConv(tensorization, train.Bonds, _ => null).Chain;
            candidates.Add(new("train", chain, WithSpatialKernel(train.Factors(except: SpatialLeaf), spatialKernel), train, TensorTrainChain.ConvMatrixAxes));
        }
        var spatialRank = new ChainAxis(ChainAxis.RankKey(SpatialLeaf.Id), SpatialRank);
        var treeChain = new ContractionChain(ConvLayerFrame.ChannelAxes(tensorization, spatialRank), dynamicTail: true);
        var treeFactors = HierarchicalTuckerTreeChain.Plan(tucker, tensorization, treeChain, outputFactor: 1, reversed: true, alreadyApplied: SpatialLeaf);
        candidates.Add(new("tree", treeChain, WithSpatialKernel(treeFactors, spatialKernel), null, []));
        schedule = candidates.MinBy(c => c.Chain.MacsPerApplication)!;
        Factors = schedule.Factors;
    }

    private DimensionTreeNode SpatialLeaf => tucker.Tree.Leaves[0];

    private int SpatialRank => tucker.Ranks[SpatialLeaf.Id];

    /// <inheritdoc />
    public override string Name => "HTConv";

    /// <inheritdoc />
    public override string Description =>
        "Convolution with an HT kernel over modes (kh*kw), (c1*s1)..(cd*sd), channel mode 1 least significant: leaf0 as a Conv with r0 filters "
        + $"[r0,1,kh,kw] on every input channel, then schedule '{schedule.Name}': train computes channel TT cores from the HT factors (constant-folded "
        + "at session load) and runs them as a chain of MatMuls; tree contracts leaves first along the tree. Inputs: X, per tree node (pre-order ids) "
        + "leaf<mode> or transfer<id> laid out for the schedule, optional bias [C_out,1,1].";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <inheritdoc />
    public override long MacsPerApplication => ConvLayerFrame.SpatialMacsPerPixel(Layer, SpatialRank) + schedule.Chain.MacsPerApplication;

    /// <inheritdoc />
    protected override string Structure => tucker.Tree + "_" + schedule.Name;

    /// <inheritdoc />
    protected override string Variant => "";

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        var names = schedule.ChainNames(body, io, Enumerable.Range(1, tucker.ModeSizes.Count - 1));
        ConvLayerFrame.EmitFactorized(body, Layer, HierarchicalTuckerRoles.Of(SpatialLeaf), SpatialRank, schedule.Chain, names);
    }

    // Inputs follow node ids; the spatial leaf's id is its place among them.
    private IReadOnlyList<FactorTensor> WithSpatialKernel(IReadOnlyList<FactorTensor> others, FactorTensor spatialKernel) =>
        others.Take(SpatialLeaf.Id).Append(spatialKernel).Concat(others.Skip(SpatialLeaf.Id)).ToArray();
}

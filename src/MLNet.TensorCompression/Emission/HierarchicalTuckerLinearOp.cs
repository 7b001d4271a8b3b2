using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>HTLinear</c>, factorised form: a fully connected layer whose weight W [M, N] is an HT tensor over the modes (m_k·n_k): leaf frames
/// U_k [(m_k·n_k), r_k], transfer tensors B_t [r_l, r_r, r_t].
/// <para>
/// Factorized, with the schedule that needs the fewest multiply-adds (it is in the overload):
/// <list type="bullet">
/// <item><c>rtl</c> / <c>ltr</c>: when the tree reads as a train (<see cref="HierarchicalTuckerTrain"/>), the body
/// computes TT cores from the HT factors (folded at session load) and runs the transpose-free
/// <see cref="TensorTrainChain"/> right to left or left to right;</item>
/// <item><c>tree</c>: otherwise, leaves first along the tree (<see cref="HierarchicalTuckerTreeChain"/>).</item>
/// </list>
/// </para>
/// </summary>
internal sealed class HierarchicalTuckerLinearOp : FactorizedOp
{
    private readonly HierarchicalTucker tucker;
    private readonly HierarchicalTuckerSchedule schedule;

    /// <summary>Lays out the factors for the cheapest schedule.</summary>
    public HierarchicalTuckerLinearOp(FactorizedWeight weight, HierarchicalTucker tucker) : base(weight)
    {
        this.tucker = tucker;
        Bias = LinearLayerFrame.Bias(Layer);
        var tensorization = weight.Tensorization;
        bool dynamicTail = LinearLayerFrame.HasDynamicTail(Layer);
        var candidates = new List<HierarchicalTuckerSchedule>();
        if (HierarchicalTuckerTrain.TryCreate(tucker, tensorization) is { } train)
        {
            foreach (bool leftToRight in new[] { false, true })
            {
                var chain = TensorTrainChain.PlanLinear(tensorization, train.Bonds, dynamicTail, leftToRight, _ => null).Chain;
                candidates.Add(new(leftToRight ? "ltr" : "rtl", chain, train.Factors(except: null), train, TensorTrainChain.LinearMatrixAxes(leftToRight)));
            }
        }
        var treeChain = new ContractionChain(LinearLayerFrame.InputAxes(tensorization), dynamicTail);
        var treeFactors = HierarchicalTuckerTreeChain.Plan(tucker, tensorization, treeChain, outputFactor: 0, reversed: false, alreadyApplied: null);
        candidates.Add(new("tree", treeChain, treeFactors, null, []));
        schedule = candidates.MinBy(c => c.Chain.MacsPerApplication)!;
        Factors = schedule.Factors;
    }

    /// <inheritdoc />
    public override string Name => "HTLinear";

    /// <inheritdoc />
    public override string Description =>
        $"Fully connected layer with an HT weight W[M,N] over modes (m_k*n_k), schedule '{schedule.Name}': rtl/ltr compute TT cores from the HT factors "
        + "(constant-folded at session load) and run them as a chain of MatMuls; tree contracts leaves first along the tree. "
        + "Inputs: X, then per tree node (pre-order ids) leaf<mode> or transfer<id> laid out for the schedule, optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <inheritdoc />
    public override long MacsPerApplication => schedule.Chain.MacsPerApplication;

    /// <inheritdoc />
    protected override string Structure => tucker.Tree + "_" + schedule.Name;

    /// <inheritdoc />
    protected override string Variant => LinearLayerFrame.Variant(Layer, LayerExecutionMode.Factorized);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io) =>
        LinearLayerFrame.EmitFactorized(body, Layer, schedule.Chain, schedule.ChainNames(body, io, Enumerable.Range(0, tucker.ModeSizes.Count)));
}

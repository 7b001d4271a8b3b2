using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Layers;

/// <summary>
/// <c>HTLinear</c>: a fully connected layer whose weight W [M, N] is an HT tensor over the modes (m_k·n_k): leaf frames
/// U_k [(m_k·n_k), r_k], transfer tensors B_t [r_l, r_r, r_t].
/// <para>
/// Factorized: the tree is contracted leaves-to-root in post-order as a MatMul chain (<see cref="HierarchicalTuckerChain"/>):
/// each leaf turns its n_k into (m_k, r_k), each inner node merges its children's ranks, with a Transpose only where an
/// inner child's rank is not next to its sibling's.
/// </para>
/// <para>Reconstructed: the factors rebuild W in the graph (<see cref="HierarchicalTuckerRebuild"/>), then the layer's Gemm or MatMul runs.</para>
/// </summary>
internal sealed class HierarchicalTuckerLinearOp : FactorizedOp
{
    private readonly HierarchicalTucker tucker;
    private readonly ContractionChain? chain;

    /// <summary>Lays out the factors for the given mode.</summary>
    public HierarchicalTuckerLinearOp(FactorizedWeight weight, ExecutionMode mode) : base(weight, mode)
    {
        tucker = weight.HierarchicalTucker ?? throw new ArgumentException($"Layer '{weight.Layer.Name}' is not in HT format.", nameof(weight));
        Bias = LinearLayerFrame.Bias(Layer);
        if (mode == ExecutionMode.Reconstructed)
        {
            Factors = HierarchicalTuckerRebuild.Factors(tucker);
            return;
        }
        chain = new ContractionChain(LinearLayerFrame.InputAxes(weight.Tensorization), LinearLayerFrame.HasDynamicTail(Layer));
        Factors = HierarchicalTuckerChain.Plan(tucker, weight.Tensorization, chain, outputFactor: 0, reversed: false, alreadyApplied: null);
    }

    /// <inheritdoc />
    public override string Name => "HTLinear";

    /// <inheritdoc />
    public override string Description => Mode == ExecutionMode.Factorized
        ? "Fully connected layer with an HT weight W[M,N] over modes (m_k*n_k): contracts the tree leaves-to-root (post-order) as a chain of MatMuls; "
          + "inputs: X, then per tree node (pre-order ids) leaf<mode> [(m r) or (r m), n] or transfer<id> [r_t, (r_a r_b)], optional bias."
        : "Fully connected layer with an HT weight W[M,N]: rebuilds W from the factors (constant-folded at session load), then runs the dense op; "
          + "inputs: X, leaf<mode> [n_k, r_k], transfer<id> [r_left, r_right*r_t], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <inheritdoc />
    public override long MacsPerApplication => chain?.MacsPerApplication ?? Layer.WeightCount;

    /// <inheritdoc />
    protected override string Structure => tucker.Tree.ToString();

    /// <inheritdoc />
    protected override string Variant => LinearLayerFrame.Variant(Layer, Mode);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        if (chain is not null)
        {
            LinearLayerFrame.EmitFactorized(body, Layer, chain, io);
            return;
        }
        LinearLayerFrame.EmitDense(body, Layer, Weight.Tensorization, HierarchicalTuckerRebuild.Emit(body, tucker, io), io);
    }
}

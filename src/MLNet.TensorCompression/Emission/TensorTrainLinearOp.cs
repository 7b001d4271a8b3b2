using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>TTLinear</c>, factorised form: a fully connected layer whose weight W [M, N] is a TT-matrix, cores G_k [r_k, m_k, n_k, r_{k+1}].
/// <para>
/// Factorized: a chain of d MatMuls without transposes. Right to left, core k is the matrix [(r_k·m_k), (n_k·r_{k+1})]
/// — its stored layout — applied to x viewed as [n₀⋯n_{k−1}, n_k·r_{k+1}, m_{k+1}⋯m_{d−1}]; left to right, core k is
/// [(m_k·r_{k+1}), (r_k·n_k)] applied to [m₀⋯m_{k−1}, r_k·n_k, n_{k+1}⋯n_{d−1}]. The direction with fewer multiply-adds
/// is taken (it is in the overload).
/// </para>
/// </summary>
internal sealed class TensorTrainLinearOp : FactorizedOp
{
    private readonly TensorTrain train;
    private readonly ContractionChain chain;
    private readonly bool leftToRight;

    /// <summary>Lays out the cores for the chain.</summary>
    public TensorTrainLinearOp(FactorizedWeight weight, TensorTrain train) : base(weight)
    {
        this.train = train;
        Bias = LinearLayerFrame.Bias(Layer);
        // Both directions do the same work on differently shaped products; take the one with fewer multiply-adds.
        var plans = new[] { false, true }.Select(direction =>
            TensorTrainChain.PlanLinear(weight.Tensorization, train.Ranks, LinearLayerFrame.HasDynamicTail(Layer), direction, k => train.Cores[k])).ToArray();
        leftToRight = plans[1].Chain.MacsPerApplication < plans[0].Chain.MacsPerApplication;
        chain = plans[leftToRight ? 1 : 0].Chain;
        Factors = plans[leftToRight ? 1 : 0].Factors.Select(f => f!).ToArray();
    }

    /// <inheritdoc />
    public override string Name => "TTLinear";

    /// <inheritdoc />
    public override string Description =>
        "Fully connected layer with a TT-matrix weight W[M,N], cores G_k[r_k, m_k, n_k, r_k+1], applied as a chain of MatMuls "
        + (leftToRight ? "from core 0 to core d-1" : "from core d-1 to core 0") + "; inputs: X, core0..core(d-1) laid out for the chain, optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, train.Ranks, tree: null);

    /// <inheritdoc />
    public override long MacsPerApplication => chain.MacsPerApplication;

    /// <inheritdoc />
    protected override string Structure => $"d{train.ModeSizes.Count}" + (leftToRight ? "_ltr" : "_rtl");

    /// <inheritdoc />
    protected override string Variant => LinearLayerFrame.Variant(Layer, LayerExecutionMode.Factorized);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io) => LinearLayerFrame.EmitFactorized(body, Layer, chain, io);
}

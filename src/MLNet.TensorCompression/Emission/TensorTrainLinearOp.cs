using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;
namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>TTLinear</c>: a fully connected layer whose weight W [M, N] is a TT-matrix, cores G_k [r_k, m_k, n_k, r_{k+1}].
/// <para>
/// Factorized: a chain of d MatMuls without transposes. Right to left, core k is the matrix [(r_k·m_k), (n_k·r_{k+1})]
/// — its stored layout — applied to x viewed as [n₀⋯n_{k−1}, n_k·r_{k+1}, m_{k+1}⋯m_{d−1}]; left to right, core k is
/// [(m_k·r_{k+1}), (r_k·n_k)] applied to [m₀⋯m_{k−1}, r_k·n_k, n_{k+1}⋯n_{d−1}]. The direction with fewer multiply-adds
/// is taken (it is in the overload).
/// </para>
/// <para>Reconstructed: the cores rebuild W in the graph (<see cref="TensorTrainRebuild"/>), then the layer's Gemm or MatMul runs.</para>
/// </summary>
internal sealed class TensorTrainLinearOp : FactorizedOp
{
    private readonly TensorTrain train;
    private readonly ContractionChain? chain;
    private readonly bool leftToRight;

    /// <summary>Lays out the cores for the given mode.</summary>
    public TensorTrainLinearOp(FactorizedWeight weight, LayerExecutionMode mode) : base(weight, mode)
    {
        train = weight.TensorTrain ?? throw new ArgumentException($"Layer '{weight.Layer.Name}' is not in TT format.", nameof(weight));
        Bias = LinearLayerFrame.Bias(Layer);
        if (mode == LayerExecutionMode.Reconstructed)
        {
            Factors = TensorTrainRebuild.Factors(train);
            return;
        }
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
    public override string Description => Mode == LayerExecutionMode.Factorized
        ? "Fully connected layer with a TT-matrix weight W[M,N], cores G_k[r_k, m_k, n_k, r_k+1], applied as a chain of MatMuls "
          + (leftToRight ? "from core 0 to core d-1" : "from core d-1 to core 0") + "; inputs: X, core0..core(d-1) laid out for the chain, optional bias."
        : "Fully connected layer with a TT-matrix weight W[M,N]: rebuilds W from the cores (constant-folded at session load), then runs the dense op; inputs: X, core0 [n0, r1], corek [r_k, n_k*r_k+1], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, train.Ranks, tree: null);

    /// <inheritdoc />
    public override long MacsPerApplication => chain?.MacsPerApplication ?? Layer.WeightCount;

    /// <inheritdoc />
    protected override string Structure => $"d{train.ModeSizes.Count}" + (chain is null ? "" : leftToRight ? "_ltr" : "_rtl");

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
        LinearLayerFrame.EmitDense(body, Layer, Weight.Tensorization, TensorTrainRebuild.Emit(body, train, io), io);
    }
}

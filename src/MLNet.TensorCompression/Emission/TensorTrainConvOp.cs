using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>TTConv</c>, factorised form: a convolution whose kernel is in TT format over the modes (kh·kw), (c₁·s₁) … (c_d·s_d), channel mode 1
/// the least significant (Garipov et al. 2016): core 0 G₀[1, kh·kw, r₁] is the spatial filter bank, core j
/// G_j[r_j, c_j, s_j, r_{j+1}] a channel core.
/// <para>
/// Factorized: core 0 runs as a Conv with r₁ filters over every input channel separately (<see cref="ConvLayerFrame"/>),
/// then channel core j, laid out as [(r_{j+1}·s_j), (c_j·r_j)], contracts the adjacent axes (c_j, r_j) in one MatMul
/// per mode, j = 1 … d, without transposes.
/// </para>
/// </summary>
internal sealed class TensorTrainConvOp : FactorizedOp
{
    private readonly TensorTrain train;
    private readonly ContractionChain chain;

    /// <summary>Lays out the cores for the chain.</summary>
    public TensorTrainConvOp(FactorizedWeight weight, TensorTrain train) : base(weight)
    {
        this.train = train;
        Bias = ConvLayerFrame.Bias(Layer, LayerExecutionMode.Factorized);
        var (channelChain, channelCores) = TensorTrainChain.PlanConv(weight.Tensorization, train.Ranks, j => train.Cores[j]);
        chain = channelChain;
        Factors = channelCores.Skip(1).Select(f => f!)
            .Prepend(ConvLayerFrame.SpatialKernel(SpatialRole, train.Cores[0], weight.Tensorization, train.Ranks[1])).ToArray();
    }

    private static string SpatialRole => TensorTrainChain.CoreRole(0);

    /// <inheritdoc />
    public override string Name => "TTConv";

    /// <inheritdoc />
    public override string Description =>
        "Convolution with a TT kernel over modes (kh*kw), (c1*s1)..(cd*sd), channel mode 1 least significant: core0 as a Conv with r1 filters "
        + "[r1,1,kh,kw] on every input channel, then channel core j as a MatMul [(r_j+1*s_j), (c_j*r_j)]; inputs: X, core0..cored, optional bias [C_out,1,1].";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, train.Ranks, tree: null);

    /// <inheritdoc />
    public override long MacsPerApplication => ConvLayerFrame.SpatialMacsPerPixel(Layer, train.Ranks[1]) + chain.MacsPerApplication;

    /// <inheritdoc />
    protected override string Structure => $"d{train.ModeSizes.Count - 1}";

    /// <inheritdoc />
    protected override string Variant => "";

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io) => ConvLayerFrame.EmitFactorized(body, Layer, SpatialRole, train.Ranks[1], chain, io);
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>TTConv</c>, split form: a convolution whose kernel is a tensor train over the <see cref="TensorLayout.Split"/>
/// modes (c₀, …, c_{a−1}, kh·kw, s₀, …, s_{b−1}), i.e. a Tucker-2 layer stored as TT. The input-channel cores fold into
/// L [C_in, r₁], the spatial core S [r₁, kh·kw, r₂] sits between, the output-channel cores fold into R [r₂, C_out].
/// <para>
/// The body folds each side once (<see cref="TensorTrainFold"/> and a transpose, on constants: ONNX Runtime folds them
/// when the session loads) and runs the three dense convolutions of <see cref="SplitLayerFrame"/>: 1×1 C_in → r₁,
/// kh×kw r₁ → r₂, 1×1 r₂ → C_out. Run-time weights: r₁·C_in + r₁·r₂·kh·kw + r₂·C_out.
/// </para>
/// </summary>
internal sealed class TensorTrainSplitConvOp : FactorizedOp
{
    // The Reconstructed form: the sides make the dense weight at session load, and the layer's op runs on it.
    private readonly bool rebuilt;

    private readonly TensorTrain train;
    private readonly int spatialMode;

    /// <summary>Lays out the side cores for their folds and the spatial core as Conv filters [r₂, r₁, kh, kw].</summary>
    public TensorTrainSplitConvOp(FactorizedWeight weight, TensorTrain train, bool rebuilt = false) : base(weight)
    {
        this.rebuilt = rebuilt;
        ArgumentNullException.ThrowIfNull(train);
        SplitLayerFrame.RequireSplitLayout(weight);
        this.train = train;
        spatialMode = weight.Tensorization.LeadingModeCount;
        int kh = Layer.Weight.Shape[2], kw = Layer.Weight.Shape[3];
        var spatial = new FactorTensor(TensorTrainChain.CoreRole(spatialMode), [OutputRank, InputRank, kh, kw],
            FactorLayout.Permute(train.Cores[spatialMode], [InputRank, kh, kw, OutputRank], [3, 0, 1, 2]));
        Factors = TensorTrainFold.Factors(train, 0, spatialMode - 1)
            .Append(spatial)
            .Concat(TensorTrainFold.Factors(train, spatialMode + 1, train.ModeSizes.Count - 1)).ToArray();
        Bias = ConvLayerFrame.Bias(Layer, LayerExecutionMode.Reconstructed);
    }

    /// <summary>r₁: the bond before the spatial core, the first 1×1 convolution's output channels.</summary>
    public int InputRank => train.Ranks[spatialMode];

    /// <summary>r₂: the bond after the spatial core, the last 1×1 convolution's input channels.</summary>
    public int OutputRank => train.Ranks[spatialMode + 1];

    /// <inheritdoc />
    public override string Name => "TTConv";

    /// <inheritdoc />
    public override string Description =>
        "Convolution with a TT kernel split as input-channel modes, kh*kw, output-channel modes (a Tucker-2 layer stored as TT): "
        + "folds the input-channel cores into a 1x1 Conv C_in -> r1 and the output-channel cores into a 1x1 Conv r2 -> C_out "
        + "(constant-folded at session load) around the spatial Conv r1 -> r2; inputs: X, core0 [c0, r1], corek [r_k, size_k*r_k+1] "
        + "(core after the spatial one: [r2*s0, r]), spatial core [r2, r1, kh, kw], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, train.Ranks, null);

    /// <summary>Per output pixel: C_in·r₁ + r₁·r₂·kh·kw + r₂·C_out (see <see cref="SplitLayerFrame.ConvMacs"/>).</summary>
    public override long MacsPerApplication => rebuilt ? Layer.WeightCount : SplitLayerFrame.ConvMacs(Layer, InputRank, OutputRank);

    /// <summary>The folded sides' and spatial filters' values (rebuilt: the dense kernel): one multiply-add each per application.</summary>
    public override long RuntimeWeightCount => MacsPerApplication;

    /// <inheritdoc />
    protected override string FormPrefix => SplitLayerFrame.FormPrefix(rebuilt);

    /// <summary><c>d{a}_{b}</c>: the number of input- and of output-channel cores.</summary>
    protected override string Structure => $"d{spatialMode}_{train.ModeSizes.Count - spatialMode - 1}";

    /// <inheritdoc />
    protected override string Variant => "";

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        int d = train.ModeSizes.Count;
        var inputSide = TensorTrainFold.Emit(body, io, train, 0, spatialMode - 1, "fold"); // [C_in, r₁]
        var outputFold = TensorTrainFold.Emit(body, io, train, spatialMode + 1, d - 1, "fold"); // [r₂·C_out, 1]
        var outputRows = body.Node("Reshape", "output_side_rows", [outputFold, body.LayerInts("output_side_shape", [OutputRank, Layer.OutputSize])]);
        var outputSide = body.Node("Transpose", "output_side", [outputRows], OnnxAttributes.Ints("perm", [1L, 0L])); // [C_out, r₂]
        SplitLayerFrame.EmitConv(body, Layer, inputSide, io.Factor(TensorTrainChain.CoreRole(spatialMode)), outputSide, InputRank, OutputRank, io, rebuilt);
    }
}

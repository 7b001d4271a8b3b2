using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// The reconstructed form of any factorised layer (<c>TTLinear</c>, <c>HTLinear</c>, <c>TTConv</c>, <c>HTConv</c> with a
/// <c>dense_</c> overload): the body rebuilds the dense weight from the factors (<see cref="TensorRebuild"/>, on
/// constants only, so ONNX Runtime folds it when the session loads), then runs the layer's own Gemm, MatMul or Conv.
/// </summary>
internal sealed class ReconstructedOp : FactorizedOp
{
    private readonly TensorRebuild rebuild;
    private readonly bool convolution;

    /// <summary>Lays out the factors for the rebuild.</summary>
    public ReconstructedOp(FactorizedWeight weight) : base(weight)
    {
        rebuild = TensorRebuild.For(weight.Tensor);
        convolution = Layer.Kind == LayerKind.Convolution;
        Factors = rebuild.Factors;
        Bias = convolution ? ConvLayerFrame.Bias(Layer, LayerExecutionMode.Reconstructed) : LinearLayerFrame.Bias(Layer);
    }

    /// <inheritdoc />
    public override string Name => rebuild.OpPrefix + (convolution ? "Conv" : "Linear");

    /// <inheritdoc />
    public override string Description => rebuild.Description(Layer.Kind);

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => convolution
        ? ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, Weight.Tensor.Ranks, rebuild.DescribedTree)
        : LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, Weight.Tensor.Ranks, rebuild.DescribedTree);

    /// <summary>The dense layer's: ONNX Runtime folds the rebuild into a constant weight.</summary>
    public override long MacsPerApplication => Layer.WeightCount;

    /// <summary>The dense weight the rebuild folds into.</summary>
    public override long RuntimeWeightCount => Layer.WeightCount;

    /// <inheritdoc />
    protected override string FormPrefix => "dense_";

    /// <inheritdoc />
    protected override string Structure => rebuild.Structure(Layer.Kind)
        // The reorder into the weight depends on the layout too: a split one names where it splits.
        + (Weight.Tensorization.Layout == TensorLayout.Split ? $"_split{Weight.Tensorization.LeadingModeCount}" : "");

    /// <inheritdoc />
    protected override string Variant => convolution ? "" : LinearLayerFrame.Variant(Layer, LayerExecutionMode.Reconstructed);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        var modeOrderWeight = rebuild.Emit(body, io);
        if (convolution) ConvLayerFrame.EmitDense(body, Layer, Weight.Tensorization, modeOrderWeight, io);
        else LinearLayerFrame.EmitDense(body, Layer, Weight.Tensorization, modeOrderWeight, io);
    }
}

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
        if (body.Opset >= EinsumOpset && rebuild.EmitLastContraction(body, io) is { } last)
        {
            var permutation = convolution ? ConvLayerFrame.DensePermutation(Weight.Tensorization) : LinearLayerFrame.DensePermutation(Layer, Weight.Tensorization);
            var reordered = EmitReorderingContraction(body, last, permutation);
            if (convolution) ConvLayerFrame.EmitDenseReordered(body, Layer, reordered, io);
            else LinearLayerFrame.EmitDenseReordered(body, Layer, reordered, io);
            return;
        }
        var modeOrderWeight = rebuild.Emit(body, io);
        if (convolution) ConvLayerFrame.EmitDense(body, Layer, Weight.Tensorization, modeOrderWeight, io);
        else LinearLayerFrame.EmitDense(body, Layer, Weight.Tensorization, modeOrderWeight, io);
    }

    // Einsum came with opset 12; below it the rebuild is reordered by a Transpose of its result.
    private const int EinsumOpset = 12;

    /// <summary>
    /// The last contraction as one Einsum whose output has the factor axes already in the op's order, so ONNX Runtime's
    /// folding holds two weight-sized tensors (this and the op's reshape of it) rather than four or five (the product,
    /// its views and its transpose): measured on the VGG sample, each weight-sized folded tensor costs its size in
    /// session memory. The operands are small (their rank axis is no longer than the modes it replaces).
    /// </summary>
    private string EmitReorderingContraction(OpBodyBuilder body, TensorRebuild.LastContraction last, int[] permutation)
    {
        var factorShape = Weight.Tensorization.FactorShape.Select(f => (long)f).ToArray();
        int leadingAxes = Weight.Tensorization.ModeFactors.Take(last.LeadingModes).Sum(f => f.Count);
        static char Letter(int axis) => (char)(axis < 26 ? 'a' + axis : 'A' + axis - 26);
        var letters = Enumerable.Range(0, factorShape.Length).Select(Letter).ToArray();
        char rank = Letter(factorShape.Length);
        string leadingLetters = new(letters[..leadingAxes]), trailingLetters = new(letters[leadingAxes..]);
        long[] leadingShape = [.. factorShape[..leadingAxes], last.Rank];
        long[] trailingShape = last.RankFirst ? [last.Rank, .. factorShape[leadingAxes..]] : [.. factorShape[leadingAxes..], last.Rank];

        var leading = body.Node("Reshape", "leading_factors", [last.Leading, body.LayerInts("leading_factors_shape", leadingShape)]);
        var trailing = body.Node("Reshape", "trailing_factors", [last.Trailing, body.LayerInts("trailing_factors_shape", trailingShape)]);
        string equation = $"{leadingLetters}{rank},{(last.RankFirst ? rank + trailingLetters : trailingLetters + rank)}->{new string(permutation.Select(axis => letters[axis]).ToArray())}";
        return body.Node("Einsum", "weight_reordered", [leading, trailing], OnnxAttributes.String("equation", equation));
    }
}

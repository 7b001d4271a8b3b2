using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>HTConv</c>, split form: a convolution whose kernel is a hierarchical Tucker tensor over the
/// <see cref="TensorLayout.Split"/> modes (c₀, …, kh·kw, s₀, …) on a tree (inputs, (spatial, outputs)): U_in [C_in, r_a]
/// and the root's B [r_a, r_b] on one side; on the other the spatial frame U_sp [kh·kw, p], the output frame
/// U_out [C_out, q] and their parent's transfer tensor B_R [p, q, r_b].
/// <para>
/// The body folds (on constants: ONNX Runtime folds them when the session loads) U_in·B into a 1×1 Conv C_in → r_b,
/// U_sp and B_R into a kh×kw Conv r_b → q, and U_out is the last 1×1 Conv q → C_out: the three convolutions of
/// <see cref="SplitLayerFrame"/>. Run-time weights: r_b·C_in + r_b·q·kh·kw + q·C_out.
/// </para>
/// </summary>
internal sealed class HierarchicalTuckerSplitConvOp : FactorizedOp
{
    // The Reconstructed form: the sides make the dense weight at session load, and the layer's op runs on it.
    private readonly bool rebuilt;

    private readonly HierarchicalTucker tucker;
    private readonly HierarchicalTuckerRebuild rebuild;

    /// <summary>Lays out the factors as the rebuild reads them.</summary>
    public HierarchicalTuckerSplitConvOp(FactorizedWeight weight, HierarchicalTucker tucker, bool rebuilt = false) : base(weight)
    {
        this.rebuilt = rebuilt;
        ArgumentNullException.ThrowIfNull(tucker);
        HierarchicalTuckerSplit.Require(weight, tucker);
        this.tucker = tucker;
        rebuild = new HierarchicalTuckerRebuild(tucker);
        Factors = rebuild.Factors;
        Bias = ConvLayerFrame.Bias(Layer, LayerExecutionMode.Reconstructed);
    }

    private DimensionTreeNode Right => tucker.Tree.Root.Right!;

    /// <summary>r_b: the first 1×1 convolution's output channels.</summary>
    public int InputRank => tucker.Ranks[Right.Id];

    /// <summary>q: the last 1×1 convolution's input channels.</summary>
    public int OutputRank => tucker.Ranks[Right.Right!.Id];

    /// <inheritdoc />
    public override string Name => "HTConv";

    /// <inheritdoc />
    public override string Description =>
        "Convolution with an HT kernel on a tree (input channels, (kh*kw, output channels)): folds the input side into a 1x1 Conv C_in -> r, "
        + "the spatial frame and its parent's transfer tensor into a kh x kw Conv r -> q, and the output side into a 1x1 Conv q -> C_out "
        + "(constant-folded at session load); inputs: X, leaf<mode> [n_k, r_k], transfer<id> [r_left, r_right*r_t], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => ConvLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <summary>Per output pixel: C_in·r_b + r_b·q·kh·kw + q·C_out (the first 1×1 convolution runs on the input grid).</summary>
    public override long MacsPerApplication => rebuilt ? Layer.WeightCount : SplitLayerFrame.ConvMacs(Layer, InputRank, OutputRank);

    /// <summary>The folded sides' and spatial filters' values (rebuilt: the dense kernel): one multiply-add each per application.</summary>
    public override long RuntimeWeightCount => MacsPerApplication;

    /// <inheritdoc />
    protected override string FormPrefix => SplitLayerFrame.FormPrefix(rebuilt);

    /// <inheritdoc />
    protected override string Structure => tucker.Tree.ToString();

    /// <inheritdoc />
    protected override string Variant => "";

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        var root = tucker.Tree.Root;
        int kh = Layer.Weight.Shape[2], kw = Layer.Weight.Shape[3];
        // Input side U_in·B [C_in, r_b]; output side U_out [C_out, q] as it is.
        var inputFrame = rebuild.EmitSubtree(body, root.Left!, io);
        var inputSide = body.Node("MatMul", "input_side", [inputFrame, io.Factor(HierarchicalTuckerRoles.Of(root))]);
        var outputSide = rebuild.EmitSubtree(body, Right.Right!, io);
        // Spatial filters: U_sp·B_R [kh·kw, q·r_b] → [kh, kw, q, r_b] → [q, r_b, kh, kw].
        var spatialProduct = body.Node("MatMul", "spatial_product", [io.Factor(HierarchicalTuckerRoles.Of(Right.Left!)), io.Factor(HierarchicalTuckerRoles.Of(Right))]);
        var spatialSplit = body.Node("Reshape", "spatial_split", [spatialProduct, body.LayerInts("spatial_split_shape", [kh, kw, OutputRank, InputRank])]);
        var spatialKernel = body.Node("Transpose", "spatial_kernel", [spatialSplit], OnnxAttributes.Ints("perm", [2L, 3L, 0L, 1L]));
        SplitLayerFrame.EmitConv(body, Layer, inputSide, spatialKernel, outputSide, InputRank, OutputRank, io, rebuilt);
    }
}

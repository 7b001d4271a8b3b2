using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>HTLinear</c>, split form: a fully connected layer whose weight W [M, N] is a hierarchical Tucker tensor over the
/// <see cref="TensorLayout.Split"/> modes (m₀, …, n₀, …) on a tree whose root separates rows from columns, so
/// W = U_rows·B·U_colsᵀ with U_rows [M, r_l] and U_cols [N, r_r] the two subtrees rebuilt and B [r_l, r_r] the root's transfer matrix.
/// <para>
/// The body rebuilds each subtree and folds B into the row side, L = U_rows·B [M, r_r] (on constants: ONNX Runtime
/// folds it when the session loads), and runs the two dense products N → r_r → M of <see cref="SplitLayerFrame"/>
/// (U_cols is Rᵀ as it is). Run-time weights: r_r·(M + N).
/// </para>
/// </summary>
internal sealed class HierarchicalTuckerSplitLinearOp : FactorizedOp
{
    // The Reconstructed form: the sides make the dense weight at session load, and the layer's op runs on it.
    private readonly bool rebuilt;

    private readonly HierarchicalTucker tucker;
    private readonly HierarchicalTuckerRebuild rebuild;

    /// <summary>Lays out the factors as the rebuild reads them.</summary>
    public HierarchicalTuckerSplitLinearOp(FactorizedWeight weight, HierarchicalTucker tucker, bool rebuilt = false) : base(weight)
    {
        this.rebuilt = rebuilt;
        ArgumentNullException.ThrowIfNull(tucker);
        HierarchicalTuckerSplit.Require(weight, tucker);
        this.tucker = tucker;
        rebuild = new HierarchicalTuckerRebuild(tucker);
        Factors = rebuild.Factors;
        Bias = LinearLayerFrame.Bias(Layer);
    }

    /// <summary>r_r: the column side's rank, the inner size of the two products.</summary>
    public int SplitRank => tucker.Ranks[tucker.Tree.Root.Right!.Id];

    /// <inheritdoc />
    public override string Name => "HTLinear";

    /// <inheritdoc />
    public override string Description =>
        "Fully connected layer with an HT weight W[M,N] whose tree root separates the row modes from the column modes: "
        + "rebuilds both sides and folds the root's transfer matrix into the rows (constant-folded at session load), then runs N -> r -> M; "
        + "inputs: X, leaf<mode> [n_k, r_k], transfer<id> [r_left, r_right*r_t], optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, tucker.Ranks, tucker.Tree);

    /// <summary>r_r·(N + M): the two dense products per row of x (the rebuilds run once, at session load).</summary>
    public override long MacsPerApplication => rebuilt ? Layer.WeightCount : SplitLayerFrame.LinearMacs(Layer, SplitRank);

    /// <summary>The folded sides' values, L [M, r] and Rᵀ [N, r] (rebuilt: the dense weight): one multiply-add each per application.</summary>
    public override long RuntimeWeightCount => MacsPerApplication;

    /// <inheritdoc />
    protected override string FormPrefix => SplitLayerFrame.FormPrefix(rebuilt);

    /// <inheritdoc />
    protected override string Structure => tucker.Tree.ToString();

    /// <inheritdoc />
    protected override string Variant => LinearLayerFrame.Variant(Layer, LayerExecutionMode.Reconstructed);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        var root = tucker.Tree.Root;
        var rowFrame = rebuild.EmitSubtree(body, root.Left!, io); // [M, r_l]
        var columnFrame = rebuild.EmitSubtree(body, root.Right!, io); // U_cols [N, r_r]
        var rows = body.Node("MatMul", "rows", [rowFrame, io.Factor(HierarchicalTuckerRoles.Of(root))]); // L [M, r_r]
        SplitLayerFrame.EmitLinear(body, Layer, rows, columnFrame, io, rebuilt);
    }
}

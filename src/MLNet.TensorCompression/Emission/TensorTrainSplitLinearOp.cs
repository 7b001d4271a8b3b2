using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// <c>TTLinear</c>, split form: a fully connected layer whose weight W [M, N] is a tensor train over the
/// <see cref="TensorLayout.Split"/> modes (m₀, …, m_{a−1}, n₀, …, n_{b−1}), so its bond r = r_a separates rows from columns
/// and W = L·R with L [M, r] the row cores folded and R [r, N] the column cores folded.
/// <para>
/// The body folds each side once (<see cref="TensorTrainFold"/>, on constants: ONNX Runtime folds it when the session
/// loads) and runs the two dense products N → r → M of <see cref="SplitLayerFrame"/>. The run-time weights are
/// r·(M + N) values instead of M·N.
/// </para>
/// </summary>
internal sealed class TensorTrainSplitLinearOp : FactorizedOp
{
    // The Reconstructed form: the sides make the dense weight at session load, and the layer's op runs on it.
    private readonly bool rebuilt;

    private readonly TensorTrain train;
    private readonly int rowModes;

    /// <summary>Lays out the cores for the two folds.</summary>
    public TensorTrainSplitLinearOp(FactorizedWeight weight, TensorTrain train, bool rebuilt = false) : base(weight)
    {
        this.rebuilt = rebuilt;
        ArgumentNullException.ThrowIfNull(train);
        SplitLayerFrame.RequireSplitLayout(weight);
        this.train = train;
        rowModes = weight.Tensorization.LeadingModeCount;
        int d = train.ModeSizes.Count;
        Factors = TensorTrainFold.Factors(train, 0, rowModes - 1).Concat(TensorTrainFold.Factors(train, rowModes, d - 1)).ToArray();
        Bias = LinearLayerFrame.Bias(Layer);
    }

    /// <summary>The bond between the row and the column cores: the inner size of the two Gemms.</summary>
    public int SplitRank => train.Ranks[rowModes];

    /// <inheritdoc />
    public override string Name => "TTLinear";

    /// <inheritdoc />
    public override string Description =>
        "Fully connected layer with a TT-matrix weight W[M,N] = L R split between its row modes (m_0..m_a-1) and column modes (n_0..n_b-1): "
        + "folds the row cores into L [M, r] and the column cores into R [r, N] (constant-folded at session load), then runs N -> r -> M; "
        + "inputs: X, core0 [m0, r1], corek [r_k, size_k*r_k+1] (core a: [r_a*n0, r_a+1]), optional bias.";

    /// <inheritdoc />
    public override IReadOnlyList<FactorTensor> Factors { get; }

    /// <inheritdoc />
    public override FactorTensor? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<AttributeProto> DescriptiveAttributes => LinearLayerFrame.DescriptiveAttributes(Weight.Tensorization, train.Ranks, null);

    /// <summary>r·(N + M): the two dense products per row of x (the folds run once, at session load).</summary>
    public override long MacsPerApplication => rebuilt ? Layer.WeightCount : SplitLayerFrame.LinearMacs(Layer, SplitRank);

    /// <summary>The folded sides' values, L [M, r] and Rᵀ [N, r] (rebuilt: the dense weight): one multiply-add each per application.</summary>
    public override long RuntimeWeightCount => MacsPerApplication;

    /// <inheritdoc />
    protected override string FormPrefix => SplitLayerFrame.FormPrefix(rebuilt);

    /// <summary><c>d{a}_{b}</c>: the number of row and of column cores.</summary>
    protected override string Structure => $"d{rowModes}_{train.ModeSizes.Count - rowModes}";

    /// <inheritdoc />
    protected override string Variant => LinearLayerFrame.Variant(Layer, LayerExecutionMode.Reconstructed);

    /// <inheritdoc />
    public override void EmitBody(OpBodyBuilder body, OpBodyNames io)
    {
        int d = train.ModeSizes.Count;
        var rows = TensorTrainFold.Emit(body, io, train, 0, rowModes - 1, "fold"); // L [M, r]
        var columnsFolded = TensorTrainFold.Emit(body, io, train, rowModes, d - 1, "fold"); // [r·N, 1]
        var columns = body.Node("Reshape", "columns_rows", [columnsFolded, body.LayerInts("columns_shape", [SplitRank, Layer.InputSize])]); // R [r, N]
        var columnsTransposed = body.Node("Transpose", "columns_t", [columns], OnnxAttributes.Ints("perm", [1L, 0L]));
        SplitLayerFrame.EmitLinear(body, Layer, rows, columnsTransposed, io, rebuilt);
    }
}

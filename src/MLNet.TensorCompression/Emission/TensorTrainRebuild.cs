using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Emission;

/// <summary>Rebuilds a tensor train's dense tensor inside the graph, from its cores stored as initializers.</summary>
internal sealed class TensorTrainRebuild(TensorTrain train) : TensorRebuild
{
    /// <inheritdoc />
    public override string OpPrefix => "TT";

    /// <summary>The cores as the rebuild reads them: core 0 as [n₀, r₁], core k as [r_k, n_k·r_{k+1}].</summary>
    public override IReadOnlyList<FactorTensor> Factors => TensorTrainFold.Factors(train, 0, train.ModeSizes.Count - 1).ToArray();

    /// <inheritdoc />
    public override DimensionTree? DescribedTree => null;

    /// <summary><c>d</c> and the number of modes the layer's frame counts: a convolution's channel modes, a matrix's modes.</summary>
    public override string Structure(LayerKind kind) => $"d{(kind == LayerKind.Convolution ? train.ModeSizes.Count - 1 : train.ModeSizes.Count)}";

    /// <inheritdoc />
    public override string Description(LayerKind kind) => kind == LayerKind.Convolution
        ? "Convolution with a TT kernel: rebuilds the kernel from the cores (constant-folded at session load), then runs the Conv; inputs: X, core0 [kh*kw, r1], corej [r_j, c_j*s_j*r_j+1], optional bias."
        : "Fully connected layer with a TT-matrix weight W[M,N]: rebuilds W from the cores (constant-folded at session load), then runs the dense op; inputs: X, core0 [n0, r1], corek [r_k, n_k*r_k+1], optional bias.";

    /// <summary>Writes the rebuild: a (n₀⋯n_k) × r_{k+1} matrix grown one core at a time.</summary>
    public override string Emit(OpBodyBuilder body, OpBodyNames io) => TensorTrainFold.Emit(body, io, train, 0, train.ModeSizes.Count - 1, "rebuild");

    /// <summary>The fold of every core but the last, [n₀⋯n_{d−2}, r_{d−1}], and the last core as stored, [r_{d−1}, n_{d−1}].</summary>
    public override LastContraction? EmitLastContraction(OpBodyBuilder body, OpBodyNames io)
    {
        int d = train.ModeSizes.Count;
        if (d < 2) return null;
        var leading = TensorTrainFold.Emit(body, io, train, 0, d - 2, "rebuild");
        return new LastContraction(leading, io.Factor(TensorTrainChain.CoreRole(d - 1)), RankFirst: true, d - 1, train.Ranks[d - 1]);
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// A format's part of <see cref="ReconstructedOp"/>: how its factors are stored for the rebuild, and the graph that
/// rebuilds the dense tensor from them on constants only, so ONNX Runtime folds it into one initializer when the
/// session loads. One subclass per format.
/// </summary>
internal abstract class TensorRebuild
{
    /// <summary>The rebuild of <paramref name="tensor"/>'s format.</summary>
    /// <exception cref="ArgumentException">A format with no rebuild.</exception>
    public static TensorRebuild For(FactorizedTensor tensor) => tensor switch
    {
        TensorTrain train => new TensorTrainRebuild(train),
        HierarchicalTucker tucker => new HierarchicalTuckerRebuild(tucker),
        _ => throw new ArgumentException($"No rebuild for the format {tensor.Format}.", nameof(tensor)),
    };

    /// <summary>The op name's format prefix: <c>TT</c> or <c>HT</c>.</summary>
    public abstract string OpPrefix { get; }

    /// <summary>The factors as the rebuild reads them.</summary>
    public abstract IReadOnlyList<FactorTensor> Factors { get; }

    /// <summary>The tree the node attributes show, or null when the format implies it.</summary>
    public abstract DimensionTree? DescribedTree { get; }

    /// <summary>The overload's structure for a layer of <paramref name="kind"/>, e.g. <c>d3</c> or <c>((0,1),2)</c>.</summary>
    public abstract string Structure(LayerKind kind);

    /// <summary>What the rebuilt op reads, for its doc string (a layer of <paramref name="kind"/>).</summary>
    public abstract string Description(LayerKind kind);

    /// <summary>Writes the rebuild and returns the name of the result, [n₀⋯n_{d−1}, 1]: the tensor in mode order.</summary>
    public abstract string Emit(OpBodyBuilder body, OpBodyNames io);

    /// <summary>
    /// Writes the rebuild up to its last contraction and returns the two operands whose product over the rank axis is the
    /// tensor in mode order, so that one Einsum can make the tensor already reordered; null when there is no such step.
    /// </summary>
    public abstract LastContraction? EmitLastContraction(OpBodyBuilder body, OpBodyNames io);

    /// <summary>The operands of a rebuild's last contraction.</summary>
    /// <param name="Leading">[n₀⋯n_{k−1}, r]: modes 0 … k−1.</param>
    /// <param name="Trailing">The other modes with the rank: [r, n_k⋯] when <paramref name="RankFirst"/>, else [n_k⋯, r].</param>
    /// <param name="RankFirst">Where <paramref name="Trailing"/> has its rank axis.</param>
    /// <param name="LeadingModes">k.</param>
    /// <param name="Rank">r.</param>
    public sealed record LastContraction(string Leading, string Trailing, bool RankFirst, int LeadingModes, int Rank);
}

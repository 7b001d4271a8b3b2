using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// A tensor in hierarchical Tucker (HT) format over a <see cref="DimensionTree"/>: each leaf t holds a frame
/// U_t[n_t, r_t]; each inner node t with children l, r holds a transfer tensor B_t[r_l, r_r, r_t] so that
/// U_t = (U_l ⊗ U_r)·B_t, rows ordered (i_l, i_r); the root has r = 1 and U_root is the tensor itself.
/// </summary>
public sealed class HierarchicalTucker : FactorizedTensor
{
    /// <summary>
    /// Builds an HT tensor from its factors, indexed by node id: a leaf's frame [n_t, r_t], an inner node's transfer
    /// tensor [r_left, r_right, r_t]. <paramref name="ranks"/> is indexed by node id; the root's rank must be 1.
    /// </summary>
    /// <exception cref="ArgumentException">The tree, ranks, sizes and factors do not fit together.</exception>
    public HierarchicalTucker(DimensionTree tree, IReadOnlyList<int> modeSizes, IReadOnlyList<int> ranks, IReadOnlyList<double[]> factors)
        : base(Validate(tree, modeSizes, ranks, factors), modeSizes, ranks, factors)
    {
    }

    private static DimensionTree Validate(DimensionTree tree, IReadOnlyList<int> modeSizes, IReadOnlyList<int> ranks, IReadOnlyList<double[]> factors)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(modeSizes);
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(factors);
        if (modeSizes.Count != tree.ModeCount)
            throw new ArgumentException($"The tree has {tree.ModeCount} modes but {modeSizes.Count} mode sizes were given.", nameof(modeSizes));
        if (ranks.Count != tree.Nodes.Count || factors.Count != tree.Nodes.Count)
            throw new ArgumentException($"Expected one rank and one factor per tree node ({tree.Nodes.Count}); got {ranks.Count} and {factors.Count}.");
        if (ranks[tree.Root.Id] != 1)
            throw new ArgumentException($"The root's rank must be 1; got {ranks[tree.Root.Id]}.", nameof(ranks));
        foreach (var node in tree.Nodes)
        {
            if (ranks[node.Id] < 1) throw new ArgumentOutOfRangeException(nameof(ranks), ranks[node.Id], $"Rank of node {node.Id} must be ≥ 1.");
            long expected = node.IsLeaf
                ? (long)modeSizes[node.FirstMode] * ranks[node.Id]
                : (long)ranks[node.Left!.Id] * ranks[node.Right!.Id] * ranks[node.Id];
            if (factors[node.Id] is null || factors[node.Id].Length != expected)
                throw new ArgumentException($"Factor of node {node.Id} ({node}) must hold {expected} values; it holds {factors[node.Id]?.Length ?? 0}.", nameof(factors));
        }
        return tree;
    }

    /// <inheritdoc />
    public override LayerFormat Format => LayerFormat.HierarchicalTucker;

    /// <inheritdoc />
    public override FactorizedTensor WithFactors(IReadOnlyList<double[]> factors) => new HierarchicalTucker(Tree, ModeSizes, Ranks, factors);

    /// <inheritdoc />
    public override double[][] ReconstructionGradient(ReadOnlySpan<double> denseGradient) =>
        HierarchicalTuckerGradient.Backward(this, denseGradient, RequireDenseLength(denseGradient));

    /// <summary>
    /// HT-SVD from the leaves to the root (Grasedyck 2010). Every node but the root is truncated with the threshold
    /// δ = ε‖A‖_F/√(2d−2), so that ‖A − Â‖_F ≤ ε‖A‖_F when no rank cap binds. Each truncation is applied to the tensor
    /// already projected onto the frames found before it (as in the sequentially truncated HOSVD): the projections
    /// commute, so their errors are orthogonal and add up in squares, and the work shrinks with every step.
    /// The input is not modified.
    /// </summary>
    /// <param name="tensor">The dense tensor, row-major over <paramref name="modeSizes"/>.</param>
    /// <param name="modeSizes">Sizes of the d ≥ 2 modes.</param>
    /// <param name="tree">The dimension tree; <see cref="DimensionTree.Balanced"/> when null.</param>
    /// <param name="truncation">Rank caps (one, or one per node id) and tolerance.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a value is not finite, or a truncation setting is out of range.</exception>
    public static DecompositionResult<HierarchicalTucker> Decompose(double[] tensor, IReadOnlyList<int> modeSizes, DimensionTree? tree, Truncation truncation)
    {
        ArgumentNullException.ThrowIfNull(truncation);
        double normSquared = TensorInput.ValidateAndMeasure(tensor, modeSizes);
        tree ??= DimensionTree.Balanced(modeSizes.Count);
        if (tree.ModeCount != modeSizes.Count)
            throw new ArgumentException($"The tree has {tree.ModeCount} modes but the tensor has {modeSizes.Count}.", nameof(tree));
        truncation.Validate(tree.Nodes.Count, "node");
        int d = modeSizes.Count;
        double perNodeBudget = truncation.Tolerance * truncation.Tolerance * normSquared / (2 * d - 2);

        var ranks = new int[tree.Nodes.Count];
        var factors = new double[tree.Nodes.Count][];
        double discarded = 0;

        // Leaves: truncate mode k, project onto its frame and rotate that mode to the back, so the next mode is
        // always the leading (contiguous) one. After d steps the core holds the leaf ranks in mode order.
        double[] core = tensor;
        foreach (var leaf in tree.Leaves)
        {
            int size = modeSizes[leaf.FirstMode];
            var svd = TruncatedSvd.Compute(new Matrix(size, core.Length / size, core), truncation.RankCapAt(leaf.Id), perNodeBudget, seed: leaf.Id);
            Keep(leaf, svd);
            core = svd.ScaleRightFactorInPlace().Transpose().Data;
        }

        // Inner nodes, deepest first: fuse the two (adjacent) child axes, truncate, and put the node's axis in their place.
        var owners = tree.Leaves.ToList();
        var dims = tree.Leaves.Select(leaf => ranks[leaf.Id]).ToList();
        foreach (var node in tree.NonRootNodesDeepestFirst().Where(n => !n.IsLeaf))
        {
            int axis = owners.IndexOf(node.Left!);
            int fused = dims[axis] * dims[axis + 1];
            var leading = MoveAxis(core, dims, from: axis, count: 2, to: 0);
            var svd = TruncatedSvd.Compute(new Matrix(fused, core.Length / fused, leading), truncation.RankCapAt(node.Id), perNodeBudget, seed: node.Id);
            Keep(node, svd);
            owners.RemoveAt(axis + 1);
            owners[axis] = node;
            dims.RemoveRange(axis, 2);
            dims.Insert(0, svd.Rank);
            core = MoveAxis(svd.ScaleRightFactorInPlace().Data, dims, from: 0, count: 1, to: axis);
            dims.RemoveAt(0);
            dims.Insert(axis, svd.Rank);
        }

        // The root keeps what is left, an r_left × r_right matrix, untruncated.
        ranks[tree.Root.Id] = 1;
        factors[tree.Root.Id] = core;
        var result = new HierarchicalTucker(tree, modeSizes, ranks, factors);
        return new(result, TensorInput.RelativeError(discarded, normSquared), truncation.Tolerance);

        void Keep(DimensionTreeNode node, TruncatedSvdResult svd)
        {
            factors[node.Id] = svd.U.Data;
            ranks[node.Id] = svd.Rank;
            discarded += svd.DiscardedNormSquared;
        }
    }

    /// <inheritdoc />
    /// <remarks>Only at the root's split: Leading = U_l, Trailing = Y_root (the right frame applied to the root's transfer tensor).</remarks>
    internal override (Matrix Leading, Matrix Trailing)? SplitAtBond(int leadingModes)
    {
        if (!RootSplitsAfter(leadingModes)) return null;
        var root = Tree.Root;
        return (Expand(root.Left!), ApplyRightFrame(root, Expand(root.Right!)));
    }

    /// <inheritdoc />
    internal override double[][] SplitGradient(int leadingModes, Matrix leadingGradient, Matrix trailingGradient)
    {
        if (!RootSplitsAfter(leadingModes))
            throw new ArgumentOutOfRangeException(nameof(leadingModes), leadingModes, $"The tree's root does not split after {leadingModes} modes.");
        return HierarchicalTuckerGradient.BackwardFromRootSides(this, leadingGradient, trailingGradient);
    }

    // Whether the root's children are modes [0, leadingModes) and the rest: the one bond an HT tensor splits at.
    private bool RootSplitsAfter(int leadingModes) => !Tree.Root.IsLeaf && Tree.Root.Left!.ModeCount == leadingModes;

    /// <inheritdoc />
    public override double[] ToDense() => Expand(Tree.Root).Data;

    // U_t = (U_l ⊗ U_r)·B_t as an (N_l·N_r) × r_t matrix, rows ordered (i_l, i_r).
    private Matrix Expand(DimensionTreeNode node)
    {
        if (node.IsLeaf) return LeafFrame(node);
        var left = Expand(node.Left!);
        var rightApplied = ApplyRightFrame(node, Expand(node.Right!));
        return Gemm.Multiply(left, rightApplied).Reshape(left.Rows * (rightApplied.Cols / Ranks[node.Id]), Ranks[node.Id]);
    }

    /// <summary>The frame U_t of <paramref name="leaf"/> as an n_t × r_t matrix over the stored factor (no copy).</summary>
    internal Matrix LeafFrame(DimensionTreeNode leaf) => new(ModeSizes[leaf.FirstMode], Ranks[leaf.Id], Factors[leaf.Id]);

    /// <summary>
    /// Y_t[a, (i_r, k)] = Σ_b U_r[i_r, b]·B_t[a, b, k] for the inner node <paramref name="node"/>, an r_l × (N_r·r_t)
    /// matrix: U_t = U_l·Y_t read as (N_l·N_r) × r_t.
    /// </summary>
    internal Matrix ApplyRightFrame(DimensionTreeNode node, Matrix rightFrame)
    {
        int leftRank = Ranks[node.Left!.Id], rightRank = Ranks[node.Right!.Id], rank = Ranks[node.Id];
        // B[a, b, k] → [b, (a, k)], then U_r·that = [i_r, (a, k)] → [a, (i_r, k)].
        var transfer = new double[Factors[node.Id].Length];
        TensorPermutation.Permute<double, double>(Factors[node.Id], transfer, [leftRank, rightRank, rank], [1, 0, 2]);
        var rightApplied = Gemm.Multiply(rightFrame, new Matrix(rightRank, leftRank * rank, transfer));
        var regrouped = new double[rightApplied.Data.Length];
        TensorPermutation.Permute<double, double>(rightApplied.Data, regrouped, [rightFrame.Rows, leftRank, rank], [1, 0, 2]);
        return new Matrix(leftRank, rightFrame.Rows * rank, regrouped);
    }

    /// <summary>
    /// Moves the <paramref name="count"/> consecutive axes starting at <paramref name="from"/> so that they start at
    /// <paramref name="to"/> (positions counted after removal), returning a new array or the input when nothing moves.
    /// </summary>
    private static double[] MoveAxis(double[] data, IReadOnlyList<int> dims, int from, int count, int to)
    {
        if (from == to) return data;
        var order = Enumerable.Range(0, dims.Count).ToList();
        var moved = order.GetRange(from, count);
        order.RemoveRange(from, count);
        order.InsertRange(to, moved);
        var result = new double[data.Length];
        TensorPermutation.Permute<double, double>(data, result, dims.ToArray(), order.ToArray());
        return result;
    }
}

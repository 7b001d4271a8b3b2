using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Emission;

/// <summary>Rebuilds a hierarchical Tucker tensor's dense tensor inside the graph, from its factors stored as initializers.</summary>
internal sealed class HierarchicalTuckerRebuild(HierarchicalTucker tucker) : TensorRebuild
{
    /// <inheritdoc />
    public override string OpPrefix => "HT";

    /// <summary>The factors as the rebuild reads them, by node id: leaf frames [n_t, r_t], transfer tensors [r_l, r_r·r_t].</summary>
    public override IReadOnlyList<FactorTensor> Factors =>
        tucker.Tree.Nodes.Select(node => FactorTensor.FromDoubles(HierarchicalTuckerRoles.Of(node),
            node.IsLeaf
                ? [tucker.ModeSizes[node.FirstMode], tucker.Ranks[node.Id]]
                : [tucker.Ranks[node.Left!.Id], tucker.Ranks[node.Right!.Id] * tucker.Ranks[node.Id]],
            tucker.Factors[node.Id])).ToArray();

    /// <inheritdoc />
    public override DimensionTree? DescribedTree => tucker.Tree;

    /// <inheritdoc />
    public override string Structure(LayerKind kind) => tucker.Tree.ToString();

    /// <inheritdoc />
    public override string Description(LayerKind kind) => (kind == LayerKind.Convolution
        ? "Convolution with an HT kernel: rebuilds the kernel from the factors (constant-folded at session load), then runs the Conv; "
        : "Fully connected layer with an HT weight W[M,N]: rebuilds W from the factors (constant-folded at session load), then runs the dense op; ")
        + "inputs: X, leaf<mode> [n_k, r_k], transfer<id> [r_left, r_right*r_t], optional bias.";

    /// <summary>
    /// Writes the rebuild, U_t = (U_l ⊗ U_r)·B_t from the leaves up, without transposes:
    /// U_l·B_t [n_l, r_r·r_t] viewed [n_l, r_r, r_t], then U_r times that, broadcast over n_l, gives [n_l, n_r, r_t].
    /// </summary>
    public override string Emit(OpBodyBuilder body, OpBodyNames io) => EmitSubtree(body, tucker.Tree.Root, io);

    /// <summary>The root's left subtree times its transfer matrix, [n_left, r_right], and its right subtree, [n_right, r_right].</summary>
    public override LastContraction? EmitLastContraction(OpBodyBuilder body, OpBodyNames io)
    {
        var root = tucker.Tree.Root;
        if (root.IsLeaf) return null;
        var left = EmitSubtree(body, root.Left!, io);
        var leading = body.Node("MatMul", "rebuild_leading", [left, io.Factor(HierarchicalTuckerRoles.Of(root))]);
        return new LastContraction(leading, EmitSubtree(body, root.Right!, io), RankFirst: false, root.Left!.ModeCount, tucker.Ranks[root.Right!.Id]);
    }

    /// <summary>Writes the rebuild of <paramref name="node"/>'s subtree and returns U_t [∏ its mode sizes, r_t] (a leaf: its frame as stored).</summary>
    public string EmitSubtree(OpBodyBuilder body, DimensionTreeNode node, OpBodyNames io)
    {
        if (node.IsLeaf) return io.Factor(HierarchicalTuckerRoles.Of(node));
        var left = EmitSubtree(body, node.Left!, io);
        var right = EmitSubtree(body, node.Right!, io);
        int id = node.Id, rightRank = tucker.Ranks[node.Right!.Id], rank = tucker.Ranks[id];
        var leftApplied = body.Node("MatMul", $"rebuild{id}_left", [left, io.Factor(HierarchicalTuckerRoles.Of(node))]);
        var leftView = body.Node("Reshape", $"rebuild{id}_left_view", [leftApplied, body.LayerInts($"rebuild{id}_left_shape", [-1, rightRank, rank])]);
        var bothApplied = body.Node("MatMul", $"rebuild{id}_right", [right, leftView]);
        return body.Node("Reshape", $"rebuild{id}", [bothApplied, body.LayerInts($"rebuild{id}_shape", [-1, rank])]);
    }
}

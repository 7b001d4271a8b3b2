using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Rebuilds a hierarchical Tucker tensor's dense tensor inside the graph, from its factors stored as initializers:
/// on constants only, so ONNX Runtime folds it into one initializer when the session loads.
/// </summary>
internal static class HierarchicalTuckerRebuild
{
    /// <summary>The factors as the rebuild reads them, by node id: leaf frames [n_t, r_t], transfer tensors [r_l, r_r·r_t].</summary>
    public static IReadOnlyList<FactorTensor> Factors(HierarchicalTucker tucker) =>
        tucker.Tree.Nodes.Select(node => FactorTensor.FromDoubles(HierarchicalTuckerRoles.Of(node),
            node.IsLeaf
                ? [tucker.ModeSizes[node.FirstMode], tucker.Ranks[node.Id]]
                : [tucker.Ranks[node.Left!.Id], tucker.Ranks[node.Right!.Id] * tucker.Ranks[node.Id]],
            tucker.Factors[node.Id])).ToArray();

    /// <summary>
    /// Writes the rebuild, U_t = (U_l ⊗ U_r)·B_t from the leaves up, without transposes:
    /// U_l·B_t [n_l, r_r·r_t] viewed [n_l, r_r, r_t], then U_r times that, broadcast over n_l, gives [n_l, n_r, r_t].
    /// Returns the name of the root's [n₀⋯n_{d−1}, 1], the tensor in mode order.
    /// </summary>
    public static string Emit(OpBodyBuilder body, HierarchicalTucker tucker, OpBodyNames io) => Emit(body, tucker, tucker.Tree.Root, io);

    private static string Emit(OpBodyBuilder body, HierarchicalTucker tucker, DimensionTreeNode node, OpBodyNames io)
    {
        if (node.IsLeaf) return io.Factor(HierarchicalTuckerRoles.Of(node));
        var left = Emit(body, tucker, node.Left!, io);
        var right = Emit(body, tucker, node.Right!, io);
        int id = node.Id, rightRank = tucker.Ranks[node.Right!.Id], rank = tucker.Ranks[id];
        var leftApplied = body.Node("MatMul", $"rebuild{id}_left", [left, io.Factor(HierarchicalTuckerRoles.Of(node))]);
        var leftView = body.Node("Reshape", $"rebuild{id}_left_view", [leftApplied, body.LayerInts($"rebuild{id}_left_shape", [-1, rightRank, rank])]);
        var bothApplied = body.Node("MatMul", $"rebuild{id}_right", [right, leftView]);
        return body.Node("Reshape", $"rebuild{id}", [bothApplied, body.LayerInts($"rebuild{id}_shape", [-1, rank])]);
    }
}

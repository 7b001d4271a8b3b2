using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// An HT tensor read as a tensor train, to run through the cheap <see cref="TensorTrainChain"/>. Between modes k−1 and k
/// lies a boundary; when the modes on one side of it are exactly one node's, that node's edge to its parent is the only
/// tree edge across the boundary, and the factors between two consecutive boundaries contract into a TT core
/// G_k[b_k, f₀, f₁, b_{k+1}] whose bonds are those edges' ranks: an exact TT with no rank growth. Core k holds leaf k's
/// frame and up to two of its ancestors' transfer tensors. Every boundary qualifies for caterpillars and balanced
/// trees of up to 5 modes; deeper balanced trees have boundaries crossed by two edges (<see cref="TryCreate"/> gives null).
/// <para>
/// The op keeps the HT factors as its initializers, so the file holds HT's parameter count, and computes the cores in
/// the graph from them on constants only: ONNX Runtime folds them when the session loads.
/// </para>
/// </summary>
internal sealed class HierarchicalTuckerTrain
{
    private readonly HierarchicalTucker tucker;
    private readonly Tensorization tensorization;
    private readonly DimensionTreeNode?[] boundaryEdges;
    private readonly DimensionTreeNode[][] absorbed;
    private readonly Dictionary<DimensionTreeNode, DimensionTreeNode> parents;

    private HierarchicalTuckerTrain(HierarchicalTucker tucker, Tensorization tensorization, DimensionTreeNode?[] boundaryEdges,
        Dictionary<DimensionTreeNode, DimensionTreeNode> parents)
    {
        this.tucker = tucker;
        this.tensorization = tensorization;
        this.boundaryEdges = boundaryEdges;
        this.parents = parents;
        int d = tucker.ModeSizes.Count;
        absorbed = Enumerable.Range(0, d).Select(AncestorsInCore).ToArray();
        var inner = tucker.Tree.Nodes.Where(n => !n.IsLeaf).ToArray();
        if (absorbed.Sum(a => a.Length) != inner.Length || inner.Any(n => !absorbed.Any(a => a.Contains(n))))
            throw new InvalidOperationException($"The cores of tree {tucker.Tree} do not take every transfer tensor exactly once.");
        Bonds = boundaryEdges.Select(node => node is null ? 1 : tucker.Ranks[node.Id]).ToArray();
    }

    /// <summary>The bonds b₀ … b_d: the ranks of the edges across the boundaries (1 at both ends).</summary>
    public IReadOnlyList<int> Bonds { get; }

    /// <summary>The train view of <paramref name="tucker"/>, or null when a boundary is crossed by more than one tree edge.</summary>
    public static HierarchicalTuckerTrain? TryCreate(HierarchicalTucker tucker, Tensorization tensorization)
    {
        var tree = tucker.Tree;
        int d = tree.ModeCount;
        var edges = new DimensionTreeNode?[d + 1];
        for (int boundary = 1; boundary < d; boundary++)
        {
            // The node whose modes are all those before the boundary, else all those after it. When both exist they are
            // the root's children; taking the first always keeps the choice structural (the overload depends on it).
            edges[boundary] = tree.Nodes.FirstOrDefault(n => n.FirstMode == 0 && n.ModeCount == boundary)
                ?? tree.Nodes.FirstOrDefault(n => n.FirstMode == boundary && n.ModeCount == d - boundary);
            if (edges[boundary] is null) return null;
        }
        var parents = tree.Nodes.Where(n => !n.IsLeaf).SelectMany(n => new[] { (n.Left!, n), (n.Right!, n) }).ToDictionary(p => p.Item1, p => p.Item2);
        return new HierarchicalTuckerTrain(tucker, tensorization, edges, parents);
    }

    /// <summary>
    /// The HT factors as the core computation reads them, by node id: leaf frames [f₀·f₁, r], transfer tensors
    /// [r_c, r_o·r_t] where c is the child on the path from the leaf whose core takes the node and o the other child.
    /// </summary>
    /// <param name="except">A leaf stored otherwise (a convolution's spatial filters), or null.</param>
    public IReadOnlyList<FactorTensor> Factors(DimensionTreeNode? except)
    {
        var factors = new List<FactorTensor>();
        foreach (var node in tucker.Tree.Nodes.Where(n => n != except))
        {
            var role = HierarchicalTuckerRoles.Of(node);
            if (node.IsLeaf)
            {
                factors.Add(FactorTensor.FromDoubles(role, [tucker.ModeSizes[node.FirstMode], tucker.Ranks[node.Id]], tucker.Factors[node.Id]));
                continue;
            }
            var pathChild = PathChild(node);
            var other = pathChild == node.Left ? node.Right! : node.Left!;
            int[] shape = [tucker.Ranks[node.Left!.Id], tucker.Ranks[node.Right!.Id], tucker.Ranks[node.Id]];
            var data = FactorLayout.Permute(tucker.Factors[node.Id], shape, pathChild == node.Left ? [0, 1, 2] : [1, 0, 2]);
            factors.Add(new FactorTensor(role, [tucker.Ranks[pathChild.Id], tucker.Ranks[other.Id] * tucker.Ranks[node.Id]], data));
        }
        return factors;
    }

    /// <summary>
    /// Writes the computation of core k as a chain matrix: leaf k's frame times its absorbed ancestors' transfer
    /// tensors gives [f₀, f₁, legs…] (a leg per absorbed node's other child, and the top node's own edge); a Transpose
    /// puts the axes of G_k[b_k, f₀, f₁, b_{k+1}] in the order <paramref name="matrixAxes"/> (size-1 legs last), and
    /// the result is viewed as [(first two), (last two)]. Returns its name.
    /// </summary>
    public string EmitCoreMatrix(OpBodyBuilder body, OpBodyNames io, int mode, IReadOnlyList<int> matrixAxes)
    {
        var leaf = tucker.Tree.Leaves[mode];
        var product = io.Factor(HierarchicalTuckerRoles.Of(leaf));
        var legs = new List<DimensionTreeNode>();
        var top = leaf;
        foreach (var ancestor in absorbed[mode])
        {
            legs.Add(ancestor.Left == top ? ancestor.Right! : ancestor.Left!);
            var grown = body.Node("MatMul", $"core{mode}_absorb{ancestor.Id}", [product, io.Factor(HierarchicalTuckerRoles.Of(ancestor))]);
            product = body.Node("Reshape", $"core{mode}_absorb{ancestor.Id}_rows", [grown, body.LayerInts($"core{mode}_absorb{ancestor.Id}_shape", [-1, tucker.Ranks[ancestor.Id]])]);
            top = ancestor;
        }
        legs.Add(top);

        var factors = tensorization.ModeFactors[mode];
        var legSizes = new long[] { factors[0], factors[1] }.Concat(legs.Select(l => (long)tucker.Ranks[l.Id])).ToArray();
        var legView = body.Node("Reshape", $"core{mode}_legs", [product, body.LayerInts($"core{mode}_legs_shape", legSizes)]);

        // Axis a of G_k sits at position coreAxisPosition[a] of the leg view, or nowhere for an outer bond (size 1).
        int?[] coreAxisPosition = [LegPosition(legs, boundaryEdges[mode]), 0, 1, LegPosition(legs, boundaryEdges[mode + 1])];
        var order = matrixAxes.Select(a => coreAxisPosition[a]).OfType<int>().ToList();
        var unused = Enumerable.Range(0, legSizes.Length).Where(p => !order.Contains(p)).ToArray();
        if (unused.Any(p => legSizes[p] != 1))
            throw new InvalidOperationException($"Core {mode} of tree {tucker.Tree} has a leg of rank > 1 that is not a bond.");
        var arranged = body.Node("Transpose", $"core{mode}_arranged", [legView], OnnxAttributes.Ints("perm", order.Concat(unused).Select(p => (long)p)));

        long[] coreShape = [Bonds[mode], factors[0], factors[1], Bonds[mode + 1]];
        long[] matrixShape = [coreShape[matrixAxes[0]] * coreShape[matrixAxes[1]], coreShape[matrixAxes[2]] * coreShape[matrixAxes[3]]];
        return body.Node("Reshape", $"core{mode}", [arranged, body.LayerInts($"core{mode}_shape", matrixShape)]);
    }

    // Position in the leg view [f₀, f₁, legs…] of the leg that is the given boundary edge; null for an outer bond.
    private static int? LegPosition(List<DimensionTreeNode> legs, DimensionTreeNode? edge)
    {
        if (edge is null) return null;
        int index = legs.IndexOf(edge);
        return index >= 0 ? 2 + index : throw new InvalidOperationException($"The boundary edge above node {edge} is not a leg of its core.");
    }

    // The nodes between boundaries k and k+1 besides leaf k: ancestors of leaf k, bottom-up (at most two).
    private DimensionTreeNode[] AncestorsInCore(int mode)
    {
        var inCore = tucker.Tree.Nodes.Where(n => AfterBoundary(n, mode) && !AfterBoundary(n, mode + 1)).ToHashSet();
        var path = new List<DimensionTreeNode>();
        for (var node = tucker.Tree.Leaves[mode]; parents.TryGetValue(node, out var parent) && inCore.Contains(parent); node = parent)
            path.Add(parent);
        if (path.Count + 1 != inCore.Count)
            throw new InvalidOperationException($"Core {mode} of tree {tucker.Tree} is not a path from its leaf.");
        return path.ToArray();
    }

    // True when the node lies on the side of the boundary's edge that holds the modes from the boundary on.
    private bool AfterBoundary(DimensionTreeNode node, int boundary)
    {
        if (boundary == 0) return true;
        if (boundary == tucker.Tree.ModeCount) return false;
        var edge = boundaryEdges[boundary]!;
        bool below = edge.FirstMode <= node.FirstMode && node.FirstMode + node.ModeCount <= edge.FirstMode + edge.ModeCount;
        return edge.FirstMode == 0 ? !below : below;
    }

    // The child through which the leaf whose core takes this transfer tensor is reached.
    private DimensionTreeNode PathChild(DimensionTreeNode node)
    {
        int mode = Array.FindIndex(absorbed, a => a.Contains(node));
        var below = tucker.Tree.Leaves[mode];
        while (parents[below] != node) below = parents[below];
        return below;
    }
}

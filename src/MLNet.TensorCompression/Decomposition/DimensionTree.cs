using System.Globalization;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// A binary dimension tree over the modes 0..d−1 of a tensor, the skeleton of the hierarchical Tucker format.
/// Every node covers a contiguous range of modes, so the leaves read 0..d−1 from left to right; any bracketing
/// of that order is allowed. The balanced tree is the HT default; the caterpillar ((((0,1),2),3)…) is the
/// tensor-train shape.
/// </summary>
public sealed class DimensionTree
{
    private DimensionTree(DimensionTreeNode root)
    {
        Root = root;
        var nodes = new List<DimensionTreeNode>();
        Number(root, 0, nodes);
        Nodes = nodes;
        Leaves = nodes.Where(n => n.IsLeaf).OrderBy(n => n.FirstMode).ToArray();
    }

    /// <summary>The root node (covers all modes).</summary>
    public DimensionTreeNode Root { get; }

    /// <summary>All nodes in pre-order; <c>Nodes[i].Id == i</c>.</summary>
    public IReadOnlyList<DimensionTreeNode> Nodes { get; }

    /// <summary>The leaves, <c>Leaves[k]</c> holding mode k.</summary>
    public IReadOnlyList<DimensionTreeNode> Leaves { get; }

    /// <summary>Number of modes d.</summary>
    public int ModeCount => Root.ModeCount;

    /// <summary>A balanced tree: each inner node splits its modes into halves (the left half gets the extra mode).</summary>
    public static DimensionTree Balanced(int modeCount)
    {
        RequireAtLeastTwoModes(modeCount);
        return new DimensionTree(BuildBalanced(0, modeCount));
    }

    /// <summary>The degenerate tree ((((0,1),2),3)…) whose HT format is a tensor train with extra leaf frames.</summary>
    public static DimensionTree Caterpillar(int modeCount)
    {
        RequireAtLeastTwoModes(modeCount);
        var node = Leaf(0);
        for (int mode = 1; mode < modeCount; mode++)
            node = new DimensionTreeNode(0, mode + 1, node, Leaf(mode));
        return new DimensionTree(node);
    }

    /// <summary>
    /// A tree whose root separates modes [0, <paramref name="leadingModes"/>) from the rest, each side balanced; with
    /// <paramref name="isolateFirstTrailingMode"/>, the right side's root separates its first mode from the others (a split
    /// kernel's spatial mode from its output channels).
    /// </summary>
    internal static DimensionTree SplitAt(int modeCount, int leadingModes, bool isolateFirstTrailingMode)
    {
        RequireAtLeastTwoModes(modeCount);
        int trailing = modeCount - leadingModes;
        if (leadingModes < 1 || trailing < (isolateFirstTrailingMode ? 2 : 1))
            throw new ArgumentOutOfRangeException(nameof(leadingModes), leadingModes, $"A split of {modeCount} modes needs modes on both sides.");
        var right = isolateFirstTrailingMode
            ? new DimensionTreeNode(leadingModes, trailing, Leaf(leadingModes), BuildBalanced(leadingModes + 1, trailing - 1))
            : BuildBalanced(leadingModes, trailing);
        return new DimensionTree(new DimensionTreeNode(0, modeCount, BuildBalanced(0, leadingModes), right));
    }

    /// <summary>The tree of a tensor train with <paramref name="modeCount"/> modes: the caterpillar, or a single leaf for one mode.</summary>
    internal static DimensionTree ForTrain(int modeCount) => modeCount == 1 ? new DimensionTree(Leaf(0)) : Caterpillar(modeCount);

    /// <summary>
    /// A tree written as nested pairs of mode numbers, e.g. <c>"((0,1),(2,3))"</c>. The leaves must read 0..d−1 in order.
    /// </summary>
    /// <exception cref="FormatException">The text is not a binary bracketing of 0..d−1 in order.</exception>
    public static DimensionTree Parse(string bracketing)
    {
        ArgumentNullException.ThrowIfNull(bracketing);
        string text = bracketing.Replace(" ", "", StringComparison.Ordinal);
        int position = 0, nextMode = 0;
        var root = ParseNode(text, ref position, ref nextMode, bracketing);
        if (position != text.Length)
            throw new FormatException($"Unexpected '{text[position..]}' after the tree in \"{bracketing}\".");
        RequireAtLeastTwoModes(root.ModeCount);
        return new DimensionTree(root);
    }

    /// <summary>The nodes below the root, deepest first: the order in which leaves-to-root HT-SVD truncates them.</summary>
    internal IEnumerable<DimensionTreeNode> NonRootNodesDeepestFirst() =>
        Nodes.Where(n => n != Root).OrderByDescending(n => n.Depth).ThenBy(n => n.FirstMode);

    /// <inheritdoc />
    public override string ToString() => Root.ToString();

    private static DimensionTreeNode Leaf(int mode) => new(mode, 1, null, null);

    private static DimensionTreeNode BuildBalanced(int firstMode, int count)
    {
        if (count == 1) return Leaf(firstMode);
        int leftCount = (count + 1) / 2;
        return new DimensionTreeNode(firstMode, count,
            BuildBalanced(firstMode, leftCount), BuildBalanced(firstMode + leftCount, count - leftCount));
    }

    private static DimensionTreeNode ParseNode(string text, ref int position, ref int nextMode, string original)
    {
        if (position >= text.Length)
            throw new FormatException($"The tree \"{original}\" ends early.");
        if (text[position] != '(')
        {
            int start = position;
            while (position < text.Length && char.IsDigit(text[position])) position++;
            if (start == position || !int.TryParse(text.AsSpan(start, position - start), NumberStyles.None, CultureInfo.InvariantCulture, out int mode))
                throw new FormatException($"Expected a mode number or '(' at position {start} of \"{original}\".");
            if (mode != nextMode)
                throw new FormatException($"Mode {mode} in \"{original}\" is out of order: leaves must read 0..d-1 from left to right (expected {nextMode}).");
            nextMode++;
            return Leaf(mode);
        }
        position++;
        var left = ParseNode(text, ref position, ref nextMode, original);
        Expect(text, ref position, ',', original);
        var right = ParseNode(text, ref position, ref nextMode, original);
        Expect(text, ref position, ')', original);
        return new DimensionTreeNode(left.FirstMode, left.ModeCount + right.ModeCount, left, right);
    }

    private static void Expect(string text, ref int position, char expected, string original)
    {
        if (position >= text.Length || text[position] != expected)
            throw new FormatException($"Expected '{expected}' at position {position} of \"{original}\" (every inner node has exactly two children).");
        position++;
    }

    private static void Number(DimensionTreeNode node, int depth, List<DimensionTreeNode> nodes)
    {
        node.Id = nodes.Count;
        node.Depth = depth;
        nodes.Add(node);
        if (node.IsLeaf) return;
        Number(node.Left!, depth + 1, nodes);
        Number(node.Right!, depth + 1, nodes);
    }

    private static void RequireAtLeastTwoModes(int modeCount)
    {
        if (modeCount < 2)
            throw new ArgumentOutOfRangeException(nameof(modeCount), modeCount, "A dimension tree needs at least two modes.");
    }
}

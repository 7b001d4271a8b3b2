namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// A node of a <see cref="DimensionTree"/>: a leaf holds one mode, an inner node the contiguous
/// range of modes of its two children.
/// </summary>
public sealed class DimensionTreeNode
{
    internal DimensionTreeNode(int firstMode, int modeCount, DimensionTreeNode? left, DimensionTreeNode? right)
    {
        FirstMode = firstMode;
        ModeCount = modeCount;
        Left = left;
        Right = right;
    }

    /// <summary>Index of this node in <see cref="DimensionTree.Nodes"/> (pre-order; the root is 0).</summary>
    public int Id { get; internal set; }

    /// <summary>Distance from the root (the root has depth 0).</summary>
    public int Depth { get; internal set; }

    /// <summary>The first mode below this node.</summary>
    public int FirstMode { get; }

    /// <summary>How many consecutive modes lie below this node.</summary>
    public int ModeCount { get; }

    /// <summary>Left child, or null for a leaf.</summary>
    public DimensionTreeNode? Left { get; }

    /// <summary>Right child, or null for a leaf.</summary>
    public DimensionTreeNode? Right { get; }

    /// <summary>True for a leaf (a single mode).</summary>
    public bool IsLeaf => Left is null;

    /// <inheritdoc />
    public override string ToString() => IsLeaf ? FirstMode.ToString() : $"({Left},{Right})";
}

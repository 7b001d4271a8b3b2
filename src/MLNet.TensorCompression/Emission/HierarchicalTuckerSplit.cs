using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>What the hierarchical Tucker split forms need of a factorisation: a split layout, and a tree split the same way.</summary>
internal static class HierarchicalTuckerSplit
{
    /// <summary>
    /// True when the tree's root separates the split's sides (rows | columns, or input channels | the rest), and for a
    /// kernel the right side's root separates the spatial mode from the output channels (as <see cref="Tensorization.SplitTree"/> makes it).
    /// </summary>
    public static bool Fits(FactorizedWeight weight, HierarchicalTucker tucker)
    {
        var tensorization = weight.Tensorization;
        var root = tucker.Tree.Root;
        if (tensorization.Layout != TensorLayout.Split || root.IsLeaf || root.Left!.ModeCount != tensorization.LeadingModeCount) return false;
        return tensorization.OriginalShape.Count != 4 || root.Right is { IsLeaf: false, Left.IsLeaf: true };
    }

    /// <summary>Throws unless <see cref="Fits"/>.</summary>
    /// <exception cref="ArgumentException">An interleaved layout, or a tree that does not split there.</exception>
    public static void Require(FactorizedWeight weight, HierarchicalTucker tucker)
    {
        if (!Fits(weight, tucker))
            throw new ArgumentException($"Layer '{weight.Layer.Name}': the split form needs a split tensorization whose tree's root separates its sides; got {weight.Tensorization} on {tucker.Tree}.", nameof(weight));
    }
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>How an HT op names its factors: <c>leaf{mode}</c> for a leaf frame, <c>transfer{id}</c> for an inner node's transfer tensor (ids in pre-order, the root is 0).</summary>
internal static class HierarchicalTuckerRoles
{
    /// <summary>The role of a node's factor.</summary>
    public static string Of(DimensionTreeNode node) => node.IsLeaf ? $"leaf{node.FirstMode}" : $"transfer{node.Id}";
}

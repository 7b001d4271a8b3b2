using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Plans the factorised application of an HT weight along its tree, for trees that <see cref="HierarchicalTuckerTrain"/>
/// cannot read as a train (or when this is cheaper). The tree is walked in post-order (left subtree, right subtree, node):
/// <list type="bullet">
/// <item>a leaf contracts its input-factor axis with its frame into (output factor, rank), the rank placed on the side
/// where its sibling's axes are;</item>
/// <item>an inner node contracts its two children's rank axes with its transfer tensor into its own rank. Two leaf
/// children leave their ranks adjacent; when output-factor axes lie between them (an inner child's rank sits between
/// its children's output factors), one Transpose moves the first rank past them — at most one per inner node: for a
/// balanced tree of 4 modes only at the root, none for 2 modes.</item>
/// </list>
/// Every leaf rank stays in the activation until its sibling is done, so the activation grows by a rank factor per
/// pending subtree: far more multiply-adds than the train chain at realistic ranks, though it works for any tree.
/// </summary>
internal static class HierarchicalTuckerTreeChain
{
    /// <summary>Plans the chain.</summary>
    /// <param name="tucker">The HT weight.</param>
    /// <param name="tensorization">Its tensorization; a mode's index is f₀·|f₁| + f₁ over its two factors.</param>
    /// <param name="chain">A chain whose axes hold every leaf's input factor (<see cref="ChainAxis.InputKey"/>), or the rank of <paramref name="alreadyApplied"/>.</param>
    /// <param name="outputFactor">Which of a mode's two factors is the output one: 0 for (m, n), 1 for (c, s).</param>
    /// <param name="reversed">True when the chain's axes hold the modes from the last to the first.</param>
    /// <param name="alreadyApplied">A leaf applied before the chain (a convolution's spatial filters), or null.</param>
    /// <returns>The laid-out factors of the contracted leaves and inner nodes, in node-id order.</returns>
    public static IReadOnlyList<FactorTensor> Plan(HierarchicalTucker tucker, Tensorization tensorization, ContractionChain chain,
        int outputFactor, bool reversed, DimensionTreeNode? alreadyApplied)
    {
        var factors = new SortedList<int, FactorTensor>();
        Visit(tucker.Tree.Root, rankTowardEnd: false);
        return factors.Values.ToArray();

        void Visit(DimensionTreeNode node, bool rankTowardEnd)
        {
            if (node == alreadyApplied) return;
            if (node.IsLeaf)
            {
                factors.Add(node.Id, ContractLeaf(tucker, tensorization, chain, node, outputFactor, rankTowardEnd));
                return;
            }
            // A child's sibling lies toward the end of the chain's axes when it follows it in mode order, unless reversed.
            Visit(node.Left!, rankTowardEnd: !reversed);
            Visit(node.Right!, rankTowardEnd: reversed);
            factors.Add(node.Id, ContractInner(tucker, chain, node));
        }
    }

    private static FactorTensor ContractLeaf(HierarchicalTucker tucker, Tensorization tensorization, ContractionChain chain,
        DimensionTreeNode leaf, int outputFactor, bool rankTowardEnd)
    {
        int mode = leaf.FirstMode, rank = tucker.Ranks[leaf.Id];
        var pair = tensorization.ModeFactors[mode];
        var output = new ChainAxis(ChainAxis.OutputKey(mode), pair[outputFactor]);
        var rankAxis = new ChainAxis(ChainAxis.RankKey(leaf.Id), rank);
        // The frame [f₀·f₁, r] viewed [f₀, f₁, r] becomes [(produced), input factor].
        int inputFactor = 1 - outputFactor;
        int[] permutation = rankTowardEnd ? [outputFactor, 2, inputFactor] : [2, outputFactor, inputFactor];
        var matrix = FactorLayout.Permute(tucker.Factors[leaf.Id], [pair[0], pair[1], rank], permutation);
        return chain.Contract(chain.IndexOf(ChainAxis.InputKey(mode)), 1,
            rankTowardEnd ? [output, rankAxis] : [rankAxis, output], HierarchicalTuckerRoles.Of(leaf), matrix);
    }

    private static FactorTensor ContractInner(HierarchicalTucker tucker, ContractionChain chain, DimensionTreeNode node)
    {
        int leftRank = tucker.Ranks[node.Left!.Id], rightRank = tucker.Ranks[node.Right!.Id], rank = tucker.Ranks[node.Id];
        int left = chain.IndexOf(ChainAxis.RankKey(node.Left.Id)), right = chain.IndexOf(ChainAxis.RankKey(node.Right.Id));
        int first = Math.Min(left, right), second = Math.Max(left, right);
        if (second - first > 1)
        {
            chain.Swap(first, second - first - 1);
            first = second - 1;
        }
        // B[r_l, r_r, r_t] becomes [r_t, (the two ranks in chain order)].
        int[] permutation = left < right ? [2, 0, 1] : [2, 1, 0];
        var matrix = FactorLayout.Permute(tucker.Factors[node.Id], [leftRank, rightRank, rank], permutation);
        return chain.Contract(first, 2, [new ChainAxis(ChainAxis.RankKey(node.Id), rank)], HierarchicalTuckerRoles.Of(node), matrix);
    }
}

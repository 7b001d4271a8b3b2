using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// A compressed layer's factorisation in the other <see cref="TensorLayout"/>, meeting the constraint the planned one
/// met: under a target ratio, no more parameters (the largest rank of the ladder that fits, so the model's ratio holds);
/// otherwise the same rank cap and tolerance. What the latency objective weighs against the planned layout.
/// </summary>
internal static class LayoutAlternative
{
    /// <summary>The other layout's factorisation, or null when there is none smaller than the weight (or within the planned one's size).</summary>
    public static FactorizedWeight? Decompose(LayerPlan plan, FactorizedWeight planned, CompressionOptions options)
    {
        var layout = planned.Tensorization.Layout == TensorLayout.Split ? TensorLayout.Interleaved : TensorLayout.Split;
        var tensorization = CompressionPlanner.Tensorize(plan.Layer, layout);
        if (tensorization.ModeSizes.Count < 2) return null;
        var other = plan with { Tensorization = tensorization };
        if (options.TargetCompressionRatio is null)
        {
            var weight = LayerDecomposer.Decompose(other, CompressionPlanner.TruncationOf(plan, options));
            return weight.FactorParameterCount < plan.Layer.WeightCount ? weight : null;
        }
        return plan.FixedMaxRank is { } rank
            ? Within(LayerDecomposer.Decompose(other, Truncation.ToRank(rank)), planned.FactorParameterCount)
            : LargestWithin(other, planned.FactorParameterCount);
    }

    /// <summary>
    /// The decomposition at the largest rank of the ladder with at most <paramref name="parameters"/> values (they grow with
    /// the rank): a binary search. The ladder's rungs, not every rank: measured on the VGG sample at 20x (one run each, shared machine), every rank up to
    /// the budget (20.6x) ran at 0.39x/0.60x of the original's latency at batch 1/64 where the rungs (25.0x) ran at
    /// 0.29x/0.43x; 0.8946 against 0.8894 data-free.
    /// </summary>
    private static FactorizedWeight? LargestWithin(LayerPlan plan, long parameters)
    {
        FactorizedWeight? best = null;
        int low = 0, high = RankLadders.RankLadder.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            var weight = LayerDecomposer.Decompose(plan, Truncation.ToRank(RankLadders.RankLadder[middle]));
            if (Within(weight, parameters) is null) { high = middle - 1; continue; }
            best = weight;
            low = middle + 1;
        }
        return best;
    }

    private static FactorizedWeight? Within(FactorizedWeight weight, long parameters) => weight.FactorParameterCount <= parameters ? weight : null;
}

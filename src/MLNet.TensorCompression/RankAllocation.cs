namespace MLNet.TensorCompression;

/// <summary>How a whole-model <see cref="CompressionOptions.TargetCompressionRatio"/> is shared among the layers.</summary>
public enum RankAllocation
{
    /// <summary>Minimise the largest per-layer relative error (every layer keeps capacity). The default: it recovers far more accuracy after data-aware re-fitting.</summary>
    LeastLargestError,

    /// <summary>Minimise the sum of squared per-layer relative errors (tends to cut the largest layer hardest).</summary>
    LeastTotalError,
}

namespace MLNet.TensorCompression;

/// <summary>How a target compression ratio is shared among the layers (each layer has a ladder of candidate ranks).</summary>
public enum RankAllocation
{
    /// <summary>Minimise the largest per-layer relative weight error (every layer keeps capacity).</summary>
    LeastLargestError,

    /// <summary>Minimise the sum of squared per-layer relative weight errors (tends to cut the largest layer hardest; on the LeNet sample it scored lowest of all).</summary>
    LeastTotalError,

    /// <summary>One rank cap for every compressed layer, the largest that meets the budget; what the budget has left then goes to the layers where it lowers the weight error most. The default.</summary>
    UniformRank,

    /// <summary>
    /// Measured on the calibration data: for every layer and candidate rank, the error of the network's outputs when
    /// only that layer is compressed and then re-fitted to the original's activations (a quick fit; see
    /// <see cref="RefitOptions.AllocationSamples"/>); then the least total of those errors within the budget. Needs
    /// calibration data, and costs about one more layer-wise fit.
    /// </summary>
    OutputError,
}

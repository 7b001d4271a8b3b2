namespace MLNet.TensorCompression;

/// <summary>How each compressed layer's factors are re-fitted to the original network's activations.</summary>
public sealed record RefitOptions
{
    /// <summary>Adam steps per layer. Default 300.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Rows per step. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Adam step size relative to each factor's initial root-mean-square value (so frames with small entries and cores
    /// carrying the weight's norm move alike). Decays to zero on a cosine schedule. Default 0.01.
    /// </summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Output pixels sampled per calibration sample for a convolution's regression rows. Default 32.</summary>
    public int PixelsPerSample { get; init; } = 32;

    /// <summary>Fraction of the rows held back to pick the best step (and to never return a worse fit than the start). Default 0.1.</summary>
    public double HoldoutFraction { get; init; } = 0.1;

    /// <summary>Seed of the row sampling. Default 12345.</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Throws an exception naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be ≥ 0.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be ≥ 1.");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive number.");
        if (PixelsPerSample < 1) throw new ArgumentOutOfRangeException(nameof(PixelsPerSample), PixelsPerSample, "PixelsPerSample must be ≥ 1.");
        if (!(HoldoutFraction > 0 && HoldoutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(HoldoutFraction), HoldoutFraction, "HoldoutFraction must be in (0, 1).");
    }
}

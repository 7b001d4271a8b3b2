using MLNet.TensorCompression.Fitting;

namespace MLNet.TensorCompression;

/// <summary>How each compressed layer's factors are re-fitted to the original network's activations.</summary>
public sealed record RefitOptions
{
    /// <summary>
    /// Alternating-least-squares sweeps per layer before Adam: each factor in turn solved exactly (to
    /// <see cref="ConjugateGradientSteps"/>) given the others, then the bias. Default 1: on the VGG sample at 20x and 40x,
    /// three sweeps lowered the largest layer's held-back error by 2–3 % more but gave the same test accuracy (within
    /// 0.1 point) in 1.4–1.6 times the fitting time; on the LeNet sample at 5x and 10x, within 0.2 point.
    /// </summary>
    public int AlternatingSweeps { get; init; } = 1;

    /// <summary>Most conjugate-gradient steps per factor in an alternating sweep. Default 20.</summary>
    public int ConjugateGradientSteps { get; init; } = 20;

    /// <summary>Adam steps per layer after the sweeps, each on the exact gradient over every row (a mini-batch of rows where the rows are kept, see <see cref="BatchSize"/>). Default 300.</summary>
    public int Steps { get; init; } = 300;

    /// <summary>Rows per Adam step for a layer whose rows are kept because there are fewer of them than inputs (a wide fully connected layer). Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Shrinkage λ towards the original weight, relative to the mean input energy per weight column: the fit minimises
    /// Σ‖Ŵx + b − y‖² + λ·tr(C)/K·‖Ŵ − W‖² (see <c>ShrunkObjective</c>). Default 0.001.
    /// </summary>
    public double Shrinkage { get; init; } = 0.001;

    /// <summary>
    /// Adam step size relative to each factor's initial root-mean-square value (so frames with small entries and cores
    /// carrying the weight's norm move alike). Decays to zero on a cosine schedule. Default 0.01.
    /// </summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Fraction of the calibration samples held back to pick the best iterate (and to never return a worse fit than the start). Default 0.1.</summary>
    public double HoldoutFraction { get; init; } = 0.1;

    /// <summary>
    /// Whether dense fully connected layers after a compressed one are re-fitted too (their inputs changed; the closing
    /// classifier recovers much of the network's error this way). Their size does not change. Default true.
    /// </summary>
    public bool RefitDenseLayers { get; init; } = true;

    /// <summary>
    /// Calibration samples (a seeded draw) on which <see cref="RankAllocation.OutputError"/> measures each candidate's
    /// effect on the network's outputs (the candidates are re-fitted on every calibration sample first). Default 100.
    /// </summary>
    public int AllocationSamples { get; init; } = 100;

    /// <summary>
    /// The quick fit <see cref="RankAllocation.OutputError"/> gives every candidate before measuring it: one
    /// alternating sweep of 5 conjugate-gradient steps per factor, no Adam. Measured on the LeNet sample, candidates
    /// fitted so picked the same ranks at 5x and 10x as fully fitted ones (then 3 sweeps of 20 steps, 300 Adam steps), at a
    /// fraction of the cost: what matters is how the candidates compare, not how low each gets.
    /// </summary>
    internal RefitOptions ForAllocation => this with { AlternatingSweeps = 1, ConjugateGradientSteps = 5, Steps = 0, RefitDenseLayers = false };

    /// <summary>Seed of the held-back draw and the mini-batches. Default 12345.</summary>
    public int Seed { get; init; } = 12345;

    /// <summary>Throws an exception naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be ≥ 0.");
        if (AllocationSamples < 1) throw new ArgumentOutOfRangeException(nameof(AllocationSamples), AllocationSamples, "AllocationSamples must be ≥ 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be ≥ 1.");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive number.");
        if (AlternatingSweeps < 0) throw new ArgumentOutOfRangeException(nameof(AlternatingSweeps), AlternatingSweeps, "AlternatingSweeps must be ≥ 0.");
        if (ConjugateGradientSteps < 1) throw new ArgumentOutOfRangeException(nameof(ConjugateGradientSteps), ConjugateGradientSteps, "ConjugateGradientSteps must be ≥ 1.");
        if (!double.IsFinite(Shrinkage) || Shrinkage < 0) throw new ArgumentOutOfRangeException(nameof(Shrinkage), Shrinkage, "Shrinkage must be a finite number ≥ 0.");
        if (!(HoldoutFraction > 0 && HoldoutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(HoldoutFraction), HoldoutFraction, "HoldoutFraction must be in (0, 1).");
    }
}

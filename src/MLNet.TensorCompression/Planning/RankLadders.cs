using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Every layer's ladder of candidates for a whole-model budget — dense (error 0), then its decomposition at rank caps
/// 1, 2, 3, … (about 25 steps up to 256, up to the cap), each with its parameter count and relative weight error —
/// built once, then shared by every target ratio asked of it (the accuracy-aware search tries several). For
/// <see cref="RankAllocation.OutputError"/> the weight errors are replaced by output errors measured on data (<see cref="MeasuredOn"/>).
/// </summary>
internal sealed class RankLadders
{
    /// <summary>The rank caps a ladder tries, ascending.</summary>
    public static readonly IReadOnlyList<int> RankLadder = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256];

    private readonly List<RankCandidate>[] candidates;
    private readonly long modelParameters;
    private readonly long otherParameters;

    private RankLadders(List<RankCandidate>[] candidates, long modelParameters, long otherParameters)
    {
        this.candidates = candidates;
        this.modelParameters = modelParameters;
        this.otherParameters = otherParameters;
    }

    /// <summary>
    /// Decomposes every planned layer at each rank of the ladder, up to <paramref name="maxRank"/> and no further than a
    /// ratio of <paramref name="smallestRatio"/> could use.
    /// </summary>
    /// <param name="plans">The format decisions.</param>
    /// <param name="maxRank">The rank cap, or null.</param>
    /// <param name="modelParameters">All parameters of the original model (every float initializer).</param>
    /// <param name="smallestRatio">The smallest target ratio the ladders will serve: a candidate larger than its budget is never built.</param>
    /// <param name="progress">Receives one line per layer, or null.</param>
    /// <param name="cancellationToken">Checked before every decomposition.</param>
    public static RankLadders Build(IReadOnlyList<LayerPlan> plans, int? maxRank, long modelParameters, double smallestRatio, Action<string>? progress, CancellationToken cancellationToken)
    {
        long budget = Budget(modelParameters, smallestRatio);
        // Everything outside the layers' weights (biases, other initializers); every layer's weight is in its ladder.
        long otherParameters = modelParameters - plans.Sum(p => p.Layer.WeightCount);
        var candidates = plans.Select(plan => plan.Format == LayerFormat.Dense
            ? [new RankCandidate(new PlannedLayer(plan, null), plan.Layer.WeightCount, 0, null)]
            : BuildLadder(plan, maxRank ?? int.MaxValue, budget, progress, cancellationToken)).ToArray();
        return new RankLadders(candidates, modelParameters, otherParameters);
    }

    /// <summary>The layers at the ranks that meet <paramref name="targetRatio"/> by <paramref name="allocation"/> (or the smallest model there is).</summary>
    public IReadOnlyList<PlannedLayer> Allocate(double targetRatio, RankAllocation allocation)
    {
        if (allocation == RankAllocation.OutputError && !measured)
            throw new InvalidOperationException("The output-error allocation needs ladders measured on data (MeasuredOn).");
        return RankAllocator.Allocate(candidates, otherParameters, Budget(modelParameters, targetRatio), allocation);
    }

    /// <summary>
    /// The same ladders with every candidate's weight error replaced by <paramref name="outputError"/>'s measure of it:
    /// the network's output error with that layer alone compressed at that rank and re-fitted on data. Re-fitted, because
    /// that is what the layer-wise fit leaves: measured before it, a layer's effect on the output says little of what is
    /// left after (on LeNet at 10x, allocating on it scored 0.761 against 0.791 for the least-largest weight error).
    /// </summary>
    /// <param name="outputError">Measures one layer's candidates.</param>
    /// <param name="progress">Receives one line per layer, or null.</param>
    /// <param name="cancellationToken">Checked before every layer.</param>
    public RankLadders MeasuredOn(CandidateErrors outputError, Action<string>? progress, CancellationToken cancellationToken)
    {
        var dense = candidates.Select(ladder => ladder[0].Layer).ToArray();
        var onData = candidates.Select((ladder, i) =>
        {
            if (ladder.Count == 1) return ladder;
            cancellationToken.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // Index 0 is dense (error 0); the decompositions follow.
            var decompositions = ladder.Skip(1).ToArray();
            var errors = outputError(dense, i, decompositions.Select(c => c.Layer).ToArray(), cancellationToken);
            progress?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"output error of {ladder[0].Layer.Plan.Layer.Name} alone compressed and re-fitted: {string.Join(", ", decompositions.Zip(errors, (c, e) => $"{c.RankCap?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "fixed"}: {e:G3}"))} ({clock.Elapsed.TotalSeconds:F1} s)"));
            return [ladder[0], .. decompositions.Zip(errors, (c, e) => c with { ErrorSquared = e })];
        }).ToArray();
        return new RankLadders(onData, modelParameters, otherParameters) { measured = true };
    }

    // Whether the errors are measured output errors (MeasuredOn), not weight errors.
    private bool measured;

    private static long Budget(long modelParameters, double ratio) => (long)Math.Floor(modelParameters / ratio);

    /// <summary>Dense, then the decompositions from the largest rank down; ranks past the point of exactness are skipped.</summary>
    private static List<RankCandidate> BuildLadder(LayerPlan plan, int maxRank, long budget, Action<string>? progress, CancellationToken cancellationToken)
    {
        var ladder = new List<RankCandidate> { new(new PlannedLayer(LayerPlan.Dense(plan.Layer, "kept dense to meet the target with the least error"), null), plan.Layer.WeightCount, 0, null) };
        var ranks = plan.FixedMaxRank is { } fixedRank ? [fixedRank] : RankLadder.Where(r => r <= maxRank).ToArray();
        var decompositions = new List<RankCandidate>();
        progress?.Invoke($"decomposing {plan.Layer.Name} ({plan.Format}, {plan.Tensorization}) at ranks up to {ranks[^1]}");
        foreach (int rank in ranks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var weight = LayerDecomposer.Decompose(plan, Truncation.ToRank(rank));
            // Larger ranks only grow: past the dense size, or past the whole model's budget, no rank can be chosen. The
            // smallest rank stays even past the budget, so that an unreachable target still gets the smallest model.
            if (weight.FactorParameterCount >= plan.Layer.WeightCount || (decompositions.Count > 0 && weight.FactorParameterCount >= budget)) break;
            decompositions.Add(new RankCandidate(new PlannedLayer(plan, weight), weight.FactorParameterCount, weight.RelativeError * weight.RelativeError, rank));
            if (weight.RelativeError < 1e-7) break; // exact already: a larger rank adds parameters and nothing else
        }
        decompositions.Reverse();
        ladder.AddRange(decompositions);
        return ladder;
    }
}

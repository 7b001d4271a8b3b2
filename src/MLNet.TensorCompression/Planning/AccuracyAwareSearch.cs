using System.Globalization;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Finds the smallest model whose accuracy stays within a drop of the original's: a binary search over a ladder of
/// whole-model target ratios, each candidate built and scored by the caller (compressed from shared rank ladders,
/// re-fitted, scored on held-back labelled rows). Accuracy falls as the ratio grows (not strictly, so the search is a
/// good guess, not a proof); every model tried is in the trace, and the best one found is returned — the largest
/// ratio within the drop, or, when none is, the one that lost least.
/// </summary>
internal static class AccuracyAwareSearch
{
    private static readonly double[] RatioLadder = [2, 3, 4, 5, 7, 10, 14, 20, 28, 40, 56, 80];

    /// <summary>The ratios the search may try: the ladder, capped by (and including) a target ratio the user gave, the most they asked for.</summary>
    public static double[] Ratios(double? cap) =>
        cap is { } limit ? RatioLadder.Where(r => r <= limit).Append(limit).Distinct().Order().ToArray() : RatioLadder;

    /// <summary>Searches <paramref name="ratios"/> (ascending) for the largest one whose candidate stays within <paramref name="maxDrop"/> of <paramref name="originalAccuracy"/>.</summary>
    /// <param name="ratios">The target ratios to search, ascending (<see cref="Ratios"/>).</param>
    /// <param name="originalAccuracy">The original model's accuracy on the evaluation rows.</param>
    /// <param name="maxDrop">The largest accuracy loss accepted.</param>
    /// <param name="evaluate">Builds the candidate for a target ratio and returns it with its accuracy.</param>
    /// <param name="progress">Receives a line per candidate, or null.</param>
    public static (CompressionResult Result, AccuracySearchStep Chosen) Run(IReadOnlyList<double> ratios, double originalAccuracy, double maxDrop,
        Func<double, (CompressionResult Result, double Accuracy)> evaluate, Action<string>? progress)
    {
        var trace = new List<(AccuracySearchStep Step, CompressionResult Result)>();
        int low = -1, high = ratios.Count; // ratios[low] is known to pass, ratios[high] to fail
        while (high - low > 1)
        {
            int middle = (low + high) / 2;
            var (result, accuracy) = evaluate(ratios[middle]);
            bool within = originalAccuracy - accuracy <= maxDrop;
            trace.Add((new AccuracySearchStep(ratios[middle], result.Report.CompressionRatio, result.Report.ModelParametersAfter, accuracy, originalAccuracy, within), result));
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"target {ratios[middle]}x: {result.Report.CompressionRatio:F1}x, accuracy {accuracy:F4}{(within ? "" : " (drop too large)")}"));
            if (within) low = middle; else high = middle;
        }

        var best = trace.Where(t => t.Step.WithinDrop).OrderByDescending(t => t.Step.CompressionRatio).Select(t => ((AccuracySearchStep, CompressionResult)?)t).FirstOrDefault()
            ?? trace.OrderByDescending(t => t.Step.Accuracy).First();
        var report = best.Item2.Report with { AccuracySearch = trace.Select(t => t.Step).ToArray() };
        return (best.Item2 with { Report = report }, best.Item1);
    }
}

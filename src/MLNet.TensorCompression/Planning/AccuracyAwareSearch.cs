using System.Globalization;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Finds the smallest model whose accuracy stays within a drop of the original's: a binary search over a ladder of
/// whole-model target ratios, each candidate compressed with data-aware fitting and scored on held-back labelled rows.
/// Accuracy falls as the ratio grows (not strictly, so the search is a good guess, not a proof); every model tried is
/// in the report's trace, and the best one found is returned — the largest ratio within the drop, or, when none is,
/// the one that lost least.
/// </summary>
internal static class AccuracyAwareSearch
{
    private static readonly double[] RatioLadder = [2, 3, 4, 5, 7, 10, 14, 20, 28, 40, 56, 80];

    public static (CompressionResult Result, AccuracySearchStep Chosen) Run(OnnxModel model, CompressionOptions options, CalibrationSet calibration, CalibrationSet evaluation, IReadOnlyList<int> labels,
        double maxDrop, RefitOptions refit, Action<string>? progress, CancellationToken cancellationToken = default)
    {
        double original = ClassifierAccuracy.Measure(model, evaluation, labels);
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"original accuracy {original:F4} on {evaluation.Count} held-back rows; searching for the smallest model within {maxDrop:P1}"));
        // A target ratio the user gave caps the search: it is the most they asked for.
        var ladder = options.TargetCompressionRatio is { } cap ? RatioLadder.Where(r => r <= cap).Append(cap).Distinct().Order().ToArray() : RatioLadder;
        var trace = new List<(AccuracySearchStep Step, CompressionResult Result)>();

        int low = -1, high = ladder.Length; // ladder[low] is known to pass, ladder[high] to fail
        while (high - low > 1)
        {
            int middle = (low + high) / 2;
            var candidate = options.Clone();
            candidate.TargetCompressionRatio = ladder[middle];
            var result = OnnxModelCompressor.Compress(model, candidate, calibration, refit, progress: null, cancellationToken);
            double accuracy = ClassifierAccuracy.Measure(result.Model, evaluation, labels);
            bool within = original - accuracy <= maxDrop;
            trace.Add((new AccuracySearchStep(ladder[middle], result.Report.CompressionRatio, result.Report.ModelParametersAfter, accuracy, original, within), result));
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"target {ladder[middle]}x: {result.Report.CompressionRatio:F1}x, accuracy {accuracy:F4}{(within ? "" : " (drop too large)")}"));
            if (within) low = middle; else high = middle;
        }

        var best = trace.Where(t => t.Step.WithinDrop).OrderByDescending(t => t.Step.CompressionRatio).Select(t => ((AccuracySearchStep, CompressionResult)?)t).FirstOrDefault()
            ?? trace.OrderByDescending(t => t.Step.Accuracy).First();
        var report = best.Item2.Report with { AccuracySearch = trace.Select(t => t.Step).ToArray() };
        return (best.Item2 with { Report = report }, best.Item1);
    }
}

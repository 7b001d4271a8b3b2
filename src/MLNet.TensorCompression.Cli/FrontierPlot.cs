using ScottPlot;

namespace MLNet.TensorCompression.Cli;

/// <summary>The accuracy-vs-compression frontier of a sweep as a PNG: one line per policy, the original as a dashed line.</summary>
internal static class FrontierPlot
{
    public static void Save(string path, string modelName, double originalAccuracy, IReadOnlyList<SweepPoint> points)
    {
        var plot = new Plot();
        foreach (var policy in points.GroupBy(p => p.Policy))
        {
            var ordered = policy.OrderBy(p => p.CompressionRatio).ToArray();
            var line = plot.Add.Scatter(ordered.Select(p => p.CompressionRatio).ToArray(), ordered.Select(p => p.Accuracy).ToArray());
            line.LegendText = policy.Key;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }
        var original = plot.Add.HorizontalLine(originalAccuracy);
        original.LegendText = "original";
        original.LinePattern = LinePattern.Dashed;
        plot.Title($"{modelName}: accuracy vs compression");
        plot.XLabel("whole-model compression ratio (parameters before / after)");
        plot.YLabel("accuracy");
        plot.ShowLegend(Alignment.LowerLeft);

        AtomicFile.Write(path, temporary => plot.SavePng(temporary, 900, 560));
    }
}

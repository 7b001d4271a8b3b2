using Microsoft.ML.Data;

namespace CompressFashionMnist;

/// <summary>One measured model: how it was made and what it scored.</summary>
internal sealed record ResultRow(
    string Model,
    string Calibration,
    MulticlassClassificationMetrics Metrics,
    long Parameters,
    long FileBytes,
    double CompressionRatio,
    double LatencyRatio,
    TimeSpan? FitTime);

/// <summary>The Markdown table of all rows; each row is printed as soon as it is added, the whole table at the end.</summary>
internal sealed class ResultTable(TextWriter output)
{
    private const string Header =
        "| model | calibration | accuracy | macro acc. | log-loss | parameters | file bytes | CR | latency | fit time |\n" +
        "|---|---|---|---|---|---|---|---|---|---|";

    private readonly List<ResultRow> rows = [];

    public void Add(ResultRow row)
    {
        if (rows.Count == 0) output.WriteLine(Header);
        rows.Add(row);
        output.WriteLine(Format(row));
    }

    /// <summary>The complete table followed by <paramref name="footnote"/>, ready to paste into a README.</summary>
    public void PrintAll(string footnote)
    {
        output.WriteLine();
        output.WriteLine(Header);
        foreach (var row in rows) output.WriteLine(Format(row));
        output.WriteLine();
        output.WriteLine(footnote);
    }

    private static string Format(ResultRow row) =>
        $"| {row.Model} | {row.Calibration} | {row.Metrics.MicroAccuracy:0.0000} | {row.Metrics.MacroAccuracy:0.0000} | {row.Metrics.LogLoss:0.0000} " +
        $"| {row.Parameters:N0} | {row.FileBytes:N0} | {row.CompressionRatio:0.0}x | {row.LatencyRatio:0.00}x | {(row.FitTime is { } fit ? $"{fit.TotalSeconds:0} s" : "—")} |";
}

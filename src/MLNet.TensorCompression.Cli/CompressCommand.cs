using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Cli;

/// <summary><c>compress</c>: writes the compressed model and prints the per-layer report.</summary>
internal static class CompressCommand
{
    private static readonly Dictionary<string, CompressionPolicy> Policies = new()
    {
        ["hybrid"] = CompressionPolicy.Hybrid, ["tt"] = CompressionPolicy.TensorTrain, ["ht"] = CompressionPolicy.HierarchicalTucker,
    };

    private static readonly Dictionary<string, RankAllocation> Allocations = new()
    {
        ["largest"] = RankAllocation.LeastLargestError, ["total"] = RankAllocation.LeastTotalError,
    };

    private static readonly Dictionary<string, LayerExecutionMode> Modes = new()
    {
        ["auto"] = LayerExecutionMode.Auto, ["factorized"] = LayerExecutionMode.Factorized, ["reconstructed"] = LayerExecutionMode.Reconstructed,
    };

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var line = new CommandLine(args,
            ["-o|--output", "--policy", "--max-rank", "--tolerance", "--target-ratio", "--allocation", "--layer", "--mode", "--report"],
            ["--inline", "--quiet", "--json"]);
        if (line.Positional.Count != 1) throw new UsageException("compress takes one input model path");
        var outputPath = line.String("--output") ?? throw new UsageException("compress needs -o <out.onnx>");
        var reportPath = line.String("--report");
        if (reportPath is not null && !reportPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !reportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--report must name a .md or .json file; got '{reportPath}'");

        var options = new CompressionOptions
        {
            Policy = line.Choice("--policy", Policies) ?? CompressionPolicy.Hybrid,
            MaxRank = line.Int("--max-rank", minimum: 1),
            Tolerance = line.Double("--tolerance", minimum: 0),
            TargetCompressionRatio = line.Double("--target-ratio", minimum: 1),
            RankAllocation = line.Choice("--allocation", Allocations) ?? RankAllocation.LeastLargestError,
            ExecutionMode = line.Choice("--mode", Modes) ?? LayerExecutionMode.Auto,
            Inline = line.Has("--inline"),
        };
        foreach (var text in line.All("--layer"))
        {
            try { options.LayerOverrides.Add(LayerOverride.Parse(text)); }
            catch (FormatException problem) { throw new UsageException(problem.Message); }
        }
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException problem) { throw new UsageException(problem.Message); }

        Action<string>? progress = line.Has("--quiet") ? null : message => error.WriteLine($"  {message}");
        var result = OnnxModelCompressor.Compress(line.Positional[0], outputPath, options, progress, cancellationToken);
        // --json: the report alone on stdout, for scripts.
        if (line.Has("--json")) output.WriteLine(result.Report.ToJson());
        else
        {
            output.Write(result.Report.ToMarkdown());
            output.WriteLine($"Wrote {outputPath}.");
        }
        if (reportPath is not null)
        {
            AtomicFile.WriteAllText(reportPath, reportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? result.Report.ToJson() : result.Report.ToMarkdown());
            if (!line.Has("--json")) output.WriteLine($"Wrote {reportPath}.");
        }
        return 0;
    }
}

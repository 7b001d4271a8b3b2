using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary><c>compress</c>: writes the compressed model and prints the per-layer report.</summary>
internal static class CompressCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var line = new CommandLine(args, ["-o|--output", .. CompressionFlags.Values, "--report"], [.. CompressionFlags.Switches, "--quiet", "--json", "--best-effort"]);
        if (line.Positional.Count != 1) throw new UsageException("compress takes one input model path");
        var outputPath = line.String("--output") ?? throw new UsageException("compress needs -o <out.onnx>");
        var reportPath = line.String("--report");
        if (reportPath is not null && !reportPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !reportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--report must name a .md or .json file; got '{reportPath}'");

        var options = CompressionFlags.Read(line);
        CommandPaths.Check([("the input model", line.Positional[0])], [("-o", outputPath), ("--report", reportPath)]);

        Action<string>? progress = line.Has("--quiet") ? null : message => error.WriteLine($"  {message}");
        var result = OnnxModelCompressor.Compress(OnnxModel.Load(line.Positional[0]), options, progress, cancellationToken);
        CompressionFlags.RequireOverridesMatch(options, result.Report);
        cancellationToken.ThrowIfCancellationRequested();
        // A model over 2 GiB cannot be one protobuf file: its weights go to "<output>.data" beside it (ONNX external data).
        void SaveModel() => result.Model.Save(outputPath, result.Model.FitsInOneFile ? null : new OnnxSaveOptions { ExternalData = true });
        if (reportPath is null) SaveModel();
        else
        {
            // The report goes to a temporary file first and is moved into place only after the model was saved: a run
            // that fails leaves neither file.
            AtomicFile.Write(reportPath, temporary =>
            {
                File.WriteAllText(temporary, reportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? result.Report.ToJson() : result.Report.ToMarkdown());
                SaveModel();
            });
        }
        // --json: the report alone on stdout, for scripts.
        if (line.Has("--json")) output.WriteLine(result.Report.ToJson());
        else
        {
            output.Write(result.Report.ToMarkdown());
            output.WriteLine($"Wrote {outputPath}.");
            if (reportPath is not null) output.WriteLine($"Wrote {reportPath}.");
        }
        // An unreachable target still writes the smallest model there is, but a script must not take it for the target.
        if (result.Report.TargetReached || line.Has("--best-effort")) return 0;
        error.WriteLine($"{result.Report.Warnings[0]} (Wrote the smallest model anyway; --best-effort makes this exit 0.)");
        return 1;
    }
}

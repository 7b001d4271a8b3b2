using System.Globalization;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>compress</c>: writes the compressed model and prints the per-layer report. With <c>--calibration</c> each layer is
/// re-fitted on the user's data (<see cref="OnnxModelCompressor.Compress(OnnxModel, CompressionOptions?, CalibrationSet, RefitOptions?, Action{string}?, CancellationToken)"/>),
/// and with <c>--distill</c> the whole model is then trained against the original (<see cref="Distillation"/>).
/// </summary>
internal static class CompressCommand
{
    /// <summary>Calibration samples read when --rows is not given.</summary>
    public const int DefaultRows = 1000;

    private static readonly string[] DataFlags = ["--calibration", "--rows", "--label", "--preprocess", "--distill", .. ImageOptions.Flags];

    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var line = new CommandLine(args, ["-o|--output", .. CompressionFlags.Values, "--report", "--distill-loss", .. DataFlags], [.. CompressionFlags.Switches, "--quiet", "--json", "--best-effort"]);
        if (line.Positional.Count != 1) throw new UsageException("compress takes one input model path");
        var outputPath = line.String("--output") ?? throw new UsageException("compress needs -o <out.onnx>");
        var reportPath = line.String("--report");
        if (reportPath is not null && !reportPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !reportPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--report must name a .md or .json file; got '{reportPath}'");

        var options = CompressionFlags.Read(line);
        var calibration = CalibrationRequestOf(line);
        if (calibration is null && options.RankAllocation == RankAllocation.OutputError && options.TargetCompressionRatio is not null)
            throw new UsageException("--allocation output measures the output error on data: give --calibration DATA");
        double? epochs = line.Double("--distill", minimum: 0);
        if (epochs is not null && (calibration is null || epochs == 0))
            throw new UsageException(calibration is null ? "--distill trains on data: give --calibration DATA" : "--distill needs a positive number of epochs, e.g. 1 or 0.5");
        var loss = line.String("--distill-loss");
        if (loss is not null && epochs is null) throw new UsageException("--distill-loss chooses the distillation loss: give --distill EPOCHS too");
        // Before any work: a missing libtorch is a usage problem (exit 2) that names what to install.
        var fineTuning = epochs is { } e ? Distillation.Create(e, loss) : null;
        CommandPaths.Check([("the input model", line.Positional[0]), ("--calibration", calibration is null || Directory.Exists(calibration.Path) ? null : calibration.Path),
            ("--label", calibration?.LabelsPath), ("--preprocess", calibration?.PreprocessPath)], [("-o", outputPath), ("--report", reportPath)]);
        if (calibration is not null && !File.Exists(calibration.Path) && !Directory.Exists(calibration.Path))
            throw new UsageException($"--calibration '{calibration.Path}' is neither a file nor a folder");

        var model = OnnxModel.Load(line.Positional[0]);
        CalibrationSet? samples = null;
        int[]? labels = null;
        if (calibration is not null)
        {
            (samples, labels) = CalibrationData.Read(model, calibration);
            if (!line.Has("--quiet"))
                error.WriteLine($"  read {samples.Count} calibration samples {SampleShapes.Shape(samples.SampleShape)} of '{samples.InputName}' from {calibration.Path}{(labels is null ? "" : ", with labels")}");
        }

        var display = new ProgressDisplay(error, line.Has("--quiet"), Steps(samples is not null, fineTuning is not null), TotalWork(model, samples is not null, fineTuning is not null));
        var result = display.Run(Path.GetFileName(line.Positional[0]), progress =>
        {
            var compressed = samples is null
                ? OnnxModelCompressor.Compress(model, options, progress, cancellationToken)
                : OnnxModelCompressor.Compress(model, options, samples, refit: null, progress, cancellationToken);
            if (samples is not null)
                compressed = compressed.WithReport(compressed.Report with { Calibration = string.Create(CultureInfo.InvariantCulture, $"layer-wise re-fit on {samples.Count} samples of {calibration!.Path}.") });
            if (fineTuning is null) return compressed;
            progress?.Invoke($"distilling for {epochs} epoch(s) on {samples!.Count} samples{(labels is null ? "" : " with labels")}");
            var outcome = fineTuning.Run(new FineTuningRequest(model, compressed.Model, samples!, labels, Progress: progress, CancellationToken: cancellationToken));
            progress?.Invoke("distilled");
            return (compressed with { Model = outcome.Model }).WithReport(compressed.Report with { FineTuning = outcome.Summary });
        });
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

    /// <summary>The data flags as a request, or null without --calibration (then every other data flag is refused).</summary>
    private static CalibrationRequest? CalibrationRequestOf(CommandLine line)
    {
        var path = line.String("--calibration");
        if (path is null)
        {
            var stray = DataFlags.FirstOrDefault(flag => flag != "--distill" && line.String(flag) is not null);
            if (stray is not null) throw new UsageException($"{stray} describes calibration data: give --calibration DATA too");
            return null;
        }
        var preprocess = line.String("--preprocess");
        if (preprocess is not null && ImageOptions.Normalises(line))
            throw new UsageException("--mean/--std normalise images; with --preprocess the preprocessing model does that: drop one");
        bool images = Directory.Exists(path);
        var imageFlag = ImageOptions.Flags.Append("--preprocess").FirstOrDefault(flag => line.String(flag) is not null);
        if (!images && imageFlag is not null)
            throw new UsageException($"{imageFlag} applies to a folder of images; --calibration '{path}' is not a folder");
        return new CalibrationRequest(path, line.Int("--rows", minimum: 1) ?? DefaultRows, line.String("--label"), ImageOptions.Read(line), preprocess);
    }

    /// <summary>The progress lines that mark a step, weighted by roughly how long each step takes.</summary>
    private static (string, double)[] Steps(bool refit, bool distill) =>
        [("decomposing ", 1), ("re-fitted ", refit ? 4 : 0), ("rewriting ", 1), ("distilled", distill ? DistillationWeight : 0)];

    private const double DistillationWeight = 20;

    /// <summary>The sum of the step weights the run will report: each compressible layer is decomposed (and re-fitted), then the graph is rewritten.</summary>
    private static double TotalWork(OnnxModel model, bool refit, bool distill)
    {
        int layers = LayerFinder.Find(model).Layers.Count;
        return layers * (1 + (refit ? 4 : 0)) + 1 + (distill ? DistillationWeight : 0);
    }
}

using System.CommandLine;
using System.Globalization;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>compress</c>: writes the compressed model and prints the per-layer report. With <c>--calibration</c> each layer is
/// re-fitted on the user's data (<see cref="OnnxModelCompressor.Compress(OnnxModel, CompressionOptions?, CalibrationSet, RefitOptions?, Action{string}?, CancellationToken)"/>),
/// and with <c>--distill</c> the whole model is then trained against the original (<see cref="Distillation"/>).
/// </summary>
internal sealed class CompressCommand : Command
{
    /// <summary>Calibration samples read when --rows is not given.</summary>
    public const int DefaultRows = 1000;

    private readonly Argument<string> inputFile = new("in.onnx") { Description = "the model to compress (never modified)" };
    private readonly Option<string?> outputFile = CommandOptions.Text("-o", "out.onnx", "where the compressed model is written", "--output");
    private readonly CompressionFlags flags = new();
    private readonly Option<bool> bestEffort = CommandOptions.Flag("--best-effort", "exit 0 when the target ratio cannot be reached");
    private readonly Option<string?> report = CommandOptions.Value<string?>("--report", "FILE.md|FILE.json", "also write the report to a file", path =>
        path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? path
            : throw new UsageException($"--report must name a .md or .json file; got '{path}'"));
    private readonly Option<bool> quiet = CommandOptions.Flag("--quiet", "no progress on stderr (else a live bar on a terminal, step lines when redirected)");
    private readonly Option<bool> json = CommandOptions.Flag("--json", "print the report as JSON instead of the table");
    private readonly Option<string?> calibration = CommandOptions.Text("--calibration", "DATA",
        "re-fit each compressed layer to reproduce the original's activations on this data: x.npy [N, …] (float32; float64/uint8 converted), "
        + "a folder of .png/.jpg, images.idx3-ubyte, or rows.csv (\"label,value,…\"); the model's input declaration gives the sample shape, "
        + "symbolic sizes taken from .npy/images");
    private readonly Option<int?> rows = CommandOptions.WholeNumber("--rows", 1, "N", $"read the first N samples (default {DefaultRows})");
    private readonly Option<string?> label = CommandOptions.Text("--label", "FILE",
        "class labels of the samples (.npy or .idx1-ubyte), used by --distill (IDX labels beside the images and CSV's first column are read anyway)");
    private readonly Option<double?> distill = CommandOptions.Number("--distill", 0, "EPOCHS",
        $"then train end to end against the original (knowledge distillation); needs the tool package {Distillation.ToolPackage} (libtorch)");
    private readonly Option<string?> distillLoss = CommandOptions.Text("--distill-loss", string.Join("|", Distillation.LossNames),
        "how every model output is compared with the original's (default auto: [N,C] → kl, [N,T,C] → position-kl, anything else, e.g. [N,C,1,1] → mse)");
    private readonly ImageFlags images = new();
    private readonly Option<string?> preprocess = CommandOptions.Text("--preprocess", "pre.onnx",
        "for a folder of images, instead of --mean/--std: run this ONNX model on the raw pixels (0–255) and feed its output (e.g. ML.NET's ResNetPreprocess.onnx)");

    /// <param name="cancellationToken">Cancels the compression; nothing is written then.</param>
    public CompressCommand(CancellationToken cancellationToken)
        : base("compress", "Replaces every large Conv, Gemm and MatMul weight by a TT or HT factorisation and writes a model whose factorised "
            + "layers are ops of the ai.mlnet.tensorcompression domain (model-local functions: any ONNX Runtime runs it). Prints the per-layer report.")
    {
        outputFile.Required = true;
        Add(inputFile);
        Add(outputFile);
        foreach (var option in (IEnumerable<Option>)[.. flags.All, bestEffort, report, quiet, json, calibration, rows, label, distill, distillLoss, .. images.All, preprocess])
            Add(option);
        SetAction(parse => Run(parse, cancellationToken));
    }

    /// <summary>The data flags that mean nothing without --calibration (--distill and --distill-loss have their own messages).</summary>
    private IEnumerable<Option> DataFlags => [rows, label, preprocess, .. images.All];

    private int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var (stdout, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        string inputPath = parse.GetRequiredValue(inputFile), outputPath = parse.GetRequiredValue(outputFile)!;
        var reportPath = parse.GetValue(report);
        var options = flags.Read(parse);
        var calibrationRequest = CalibrationRequestOf(parse);
        if (calibrationRequest is null && options.RankAllocation == RankAllocation.OutputError && options.TargetCompressionRatio is not null)
            throw new UsageException("--allocation output measures the output error on data: give --calibration DATA");
        double? epochs = parse.GetValue(distill);
        if (epochs is not null && (calibrationRequest is null || epochs == 0))
            throw new UsageException(calibrationRequest is null ? "--distill trains on data: give --calibration DATA" : "--distill needs a positive number of epochs, e.g. 1 or 0.5");
        var loss = parse.GetValue(distillLoss);
        if (loss is not null && epochs is null) throw new UsageException("--distill-loss chooses the distillation loss: give --distill EPOCHS too");
        // Before any work: a missing libtorch is a usage problem (exit 2) that names what to install.
        var fineTuning = epochs is { } e ? Distillation.Create(e, loss) : null;
        var calibrationPath = calibrationRequest?.Path;
        CommandPaths.Check([("the input model", inputPath), ("--calibration", calibrationPath is null || Directory.Exists(calibrationPath) ? null : calibrationPath),
            ("--label", calibrationRequest?.LabelsPath), ("--preprocess", calibrationRequest?.PreprocessPath)], [("-o", outputPath), ("--report", reportPath)]);
        if (calibrationPath is not null && !File.Exists(calibrationPath) && !Directory.Exists(calibrationPath))
            throw new UsageException($"--calibration '{calibrationPath}' is neither a file nor a folder");
        bool isQuiet = parse.GetValue(quiet);

        var model = OnnxModel.Load(inputPath);
        CalibrationSet? samples = null;
        int[]? labels = null;
        if (calibrationRequest is not null)
        {
            (samples, labels) = CalibrationData.Read(model, calibrationRequest);
            if (!isQuiet)
                error.WriteLine($"  read {samples.Count} calibration samples {SampleShapes.Shape(samples.SampleShape)} of '{samples.InputName}' from {calibrationPath}{(labels is null ? "" : ", with labels")}");
        }

        var display = new ProgressDisplay(error, isQuiet, Steps(samples is not null, fineTuning is not null), TotalWork(model, samples is not null, fineTuning is not null));
        var result = display.Run(Path.GetFileName(inputPath), progress =>
        {
            var compressed = samples is null
                ? OnnxModelCompressor.Compress(model, options, progress, cancellationToken)
                : OnnxModelCompressor.Compress(model, options, samples, refit: null, progress, cancellationToken);
            if (samples is not null)
                compressed = compressed.WithReport(compressed.Report with { Calibration = string.Create(CultureInfo.InvariantCulture, $"layer-wise re-fit on {samples.Count} samples of {calibrationPath}.") });
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
        if (parse.GetValue(json)) stdout.WriteLine(result.Report.ToJson());
        else
        {
            stdout.Write(result.Report.ToMarkdown());
            stdout.WriteLine($"Wrote {outputPath}.");
            if (reportPath is not null) stdout.WriteLine($"Wrote {reportPath}.");
        }
        // An unreachable target still writes the smallest model there is, but a script must not take it for the target.
        if (result.Report.TargetReached || parse.GetValue(bestEffort)) return 0;
        error.WriteLine($"{result.Report.Warnings[0]} (Wrote the smallest model anyway; --best-effort makes this exit 0.)");
        return 1;
    }

    /// <summary>The data flags as a request, or null without --calibration (then every other data flag is refused).</summary>
    private CalibrationRequest? CalibrationRequestOf(ParseResult parse)
    {
        var path = parse.GetValue(calibration);
        if (path is null)
        {
            var stray = DataFlags.FirstOrDefault(flag => parse.GetResult(flag) is not null);
            if (stray is not null) throw new UsageException($"{stray.Name} describes calibration data: give --calibration DATA too");
            return null;
        }
        var preprocessPath = parse.GetValue(preprocess);
        if (preprocessPath is not null && images.Normalises(parse))
            throw new UsageException("--mean/--std normalise images; with --preprocess the preprocessing model does that: drop one");
        var imageFlag = ((IEnumerable<Option>)[.. images.All, preprocess]).FirstOrDefault(flag => parse.GetResult(flag) is not null);
        if (!Directory.Exists(path) && imageFlag is not null)
            throw new UsageException($"{imageFlag.Name} applies to a folder of images; --calibration '{path}' is not a folder");
        return new CalibrationRequest(path, parse.GetValue(rows) ?? DefaultRows, parse.GetValue(label), images.Read(parse), preprocessPath);
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

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>sweep</c>: compresses a classifier under several policies at several target ratios (or rank caps), optionally
/// re-fitting on calibration data, and prints the accuracy/size frontier.
/// </summary>
internal sealed class SweepCommand : Command
{
    /// <summary>Calibration samples read when --rows is not given.</summary>
    private const int DefaultRows = 1000;

    private readonly Argument<string> modelFile = new("model.onnx") { Description = "a single-input classifier" };
    private readonly Option<string?> data = CommandOptions.Text("--data", "images.idx3-ubyte|file.csv", "labelled data the models are scored on (as evaluate reads it)");
    private readonly Option<CompressionPolicy[]> policies = CommandOptions.List("--policies", string.Join(",", OptionNames.Policies.Keys),
        "the policies compared (default: all)", text => OptionNames.Policies.TryGetValue(text, out var policy) ? policy
            : throw new UsageException($"--policies: '{text}' is not {OptionNames.OneOf(OptionNames.Policies)}"));
    private readonly Option<double[]> ratios = CommandOptions.List("--ratios", "5,10,20", "target compression ratios (default 5,10,20)", text =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= 1 ? x : throw new UsageException($"--ratios: '{text}' is not a number ≥ 1"));
    private readonly Option<int[]> ranks = CommandOptions.List("--ranks", "8,16,32", "rank caps instead of target ratios", text => CommandOptions.WholeNumber("--ranks:", text, minimum: 1));
    // Of the compression flags, those that are not what the sweep varies (policy, rank cap, target ratio).
    private readonly CompressionFlags flags = new();
    private readonly Option<string?> calibration = CommandOptions.Text("--calibration", "labelled data", "re-fit every point on this data");
    private readonly Option<int?> rows = CommandOptions.WholeNumber("--rows", 10, "N", $"calibration samples read (default {DefaultRows})");
    private readonly Option<string?> plot = CommandOptions.Text("--plot", "FILE.png", "also draw the frontier");
    private readonly Option<bool> json = CommandOptions.Flag("--json", "print the frontier as JSON");
    private readonly Option<bool> quiet = CommandOptions.Flag("--quiet", "no progress on stderr");

    /// <param name="cancellationToken">Cancels the sweep.</param>
    public SweepCommand(CancellationToken cancellationToken)
        : base("sweep", "Compresses under each policy at each ratio or rank cap (re-fitted on --calibration data when given) and prints the "
            + "accuracy/size frontier; --plot also draws it. --allocation and --layer are compress's, applied to every point.")
    {
        data.Required = true;
        Add(modelFile);
        foreach (var option in (IEnumerable<Option>)[data, policies, ratios, ranks, flags.Allocation, flags.Layer, calibration, rows, plot, json, quiet])
            Add(option);
        SetAction(parse => Run(parse, cancellationToken));
    }

    private int Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        string modelPath = parse.GetRequiredValue(modelFile), dataPath = parse.GetRequiredValue(data)!;
        var calibrationPath = parse.GetValue(calibration);
        var plotPath = parse.GetValue(plot);
        var shared = flags.Read(parse);
        CommandPaths.Check([("the model", modelPath), ("--data", dataPath), ("--calibration", calibrationPath)], [("--plot", plotPath)]);
        var model = OnnxModel.Load(modelPath);
        var (inputName, sampleShape) = ModelInput.SingleWithFixedSample(model);
        var (test, labels) = LabelledData.Read(dataPath, inputName, sampleShape);
        if (labels.Length != test.Count)
            throw new InvalidDataException($"{dataPath}: {test.Count} samples but {labels.Length} labels.");
        LabelledData.RequireClassesOf(model, labels, dataPath);
        CalibrationSet? calibrationSet = null;
        if (calibrationPath is not null)
        {
            var all = LabelledData.Read(calibrationPath, inputName, sampleShape).Samples;
            calibrationSet = all.Take(0, Math.Min(parse.GetValue(rows) ?? DefaultRows, all.Count));
        }

        Action<string>? progress = parse.GetValue(quiet) ? null : message => error.WriteLine($"  {message}");
        var points = new List<SweepPoint>();
        double original = ClassifierAccuracy.Measure(model, test, labels);
        foreach (var policy in parse.GetValue(policies) is { Length: > 0 } named ? named : [.. OptionNames.Policies.Values])
        foreach (var (name, apply) in Settings(parse))
        {
            var options = shared.Clone();
            options.Policy = policy;
            apply(options);
            progress?.Invoke($"{policy}, {name}");
            var result = calibrationSet is null
                ? OnnxModelCompressor.Compress(model, options, progress: null, cancellationToken)
                : OnnxModelCompressor.Compress(model, options, calibrationSet, refit: null, progress: null, cancellationToken);
            CompressionFlags.RequireOverridesMatch(options, result.Report);
            points.Add(new SweepPoint(policy.ToString(), name, result.Report.CompressionRatio, result.Report.ModelParametersAfter, ClassifierAccuracy.Measure(result.Model, test, labels)));
        }

        if (plotPath is not null)
            FrontierPlot.Save(plotPath, Path.GetFileName(modelPath), original, points);
        if (parse.GetValue(json))
        {
            output.WriteLine(JsonSerializer.Serialize(new { model = modelPath, originalAccuracy = original, parameters = model.ParameterCount, dataAware = calibrationSet is not null, points },
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine($"| policy | setting | CR | parameters | accuracy ({(calibrationSet is null ? "data-free" : $"re-fitted on {calibrationSet.Count} rows")}) |");
        output.WriteLine("|---|---|---|---|---|");
        output.WriteLine(string.Create(invariant, $"| original | | 1.0x | {model.ParameterCount:N0} | {original:F4} |"));
        foreach (var point in points)
            output.WriteLine(string.Create(invariant, $"| {point.Policy} | {point.Setting} | {point.CompressionRatio:F1}x | {point.Parameters:N0} | {point.Accuracy:F4} |"));
        return 0;
    }

    /// <summary>Target ratios (--ratios, default 5,10,20) or rank caps (--ranks), as named option setters.</summary>
    private IReadOnlyList<(string Name, Action<CompressionOptions> Apply)> Settings(ParseResult parse)
    {
        if (parse.GetValue(ranks) is { Length: > 0 } caps)
            return caps.Select(r => ($"max rank {r}", (Action<CompressionOptions>)(o => o.MaxRank = r))).ToArray();
        return (parse.GetValue(ratios) is { Length: > 0 } targets ? targets : [5, 10, 20])
            .Select(x => (string.Create(CultureInfo.InvariantCulture, $"target {x}x"), (Action<CompressionOptions>)(o => o.TargetCompressionRatio = x))).ToArray();
    }
}

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
internal static class SweepCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Of the compression flags, those that are not what the sweep varies (policy, rank cap, target ratio).
        var line = new CommandLine(args,
            ["--data", "--calibration", "--rows", "--policies", "--ratios", "--ranks", "--plot", CompressionFlags.Allocation, CompressionFlags.Layer], ["--json", "--quiet"]);
        if (line.Positional.Count != 1) throw new UsageException("sweep takes one model path");
        var dataPath = line.String("--data") ?? throw new UsageException("sweep needs --data <images.idx3-ubyte|file.csv> to score the models");
        var policies = Policies(line);
        var settings = Settings(line);
        var shared = CompressionFlags.Read(line);
        CommandPaths.Check([("the model", line.Positional[0]), ("--data", dataPath), ("--calibration", line.String("--calibration"))], [("--plot", line.String("--plot"))]);
        var model = OnnxModel.Load(line.Positional[0]);
        var (inputName, sampleShape) = ModelInput.SingleWithFixedSample(model);
        var (test, labels) = LabelledData.Read(dataPath, inputName, sampleShape);
        if (labels.Length != test.Count)
            throw new InvalidDataException($"{dataPath}: {test.Count} samples but {labels.Length} labels.");
        LabelledData.RequireClassesOf(model, labels, dataPath);
        CalibrationSet? calibration = null;
        if (line.String("--calibration") is { } calibrationPath)
        {
            int rows = line.Int("--rows", minimum: 10) ?? 1000;
            var all = LabelledData.Read(calibrationPath, inputName, sampleShape).Samples;
            calibration = all.Take(0, Math.Min(rows, all.Count));
        }

        Action<string>? progress = line.Has("--quiet") ? null : message => error.WriteLine($"  {message}");
        var points = new List<SweepPoint>();
        double original = ClassifierAccuracy.Measure(model, test, labels);
        foreach (var policy in policies)
        foreach (var (name, apply) in settings)
        {
            var options = shared.Clone();
            options.Policy = policy;
            apply(options);
            progress?.Invoke($"{policy}, {name}");
            var result = calibration is null
                ? OnnxModelCompressor.Compress(model, options, progress: null, cancellationToken)
                : OnnxModelCompressor.Compress(model, options, calibration, refit: null, progress: null, cancellationToken);
            CompressionFlags.RequireOverridesMatch(options, result.Report);
            points.Add(new SweepPoint(policy.ToString(), name, result.Report.CompressionRatio, result.Report.ModelParametersAfter, ClassifierAccuracy.Measure(result.Model, test, labels)));
        }

        if (line.String("--plot") is { } plotPath)
            FrontierPlot.Save(plotPath, Path.GetFileName(line.Positional[0]), original, points);
        if (line.Has("--json"))
        {
            output.WriteLine(JsonSerializer.Serialize(new { model = line.Positional[0], originalAccuracy = original, parameters = model.ParameterCount, dataAware = calibration is not null, points },
                new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine($"| policy | setting | CR | parameters | accuracy ({(calibration is null ? "data-free" : $"re-fitted on {calibration.Count} rows")}) |");
        output.WriteLine("|---|---|---|---|---|");
        output.WriteLine(string.Create(invariant, $"| original | | 1.0x | {model.ParameterCount:N0} | {original:F4} |"));
        foreach (var point in points)
            output.WriteLine(string.Create(invariant, $"| {point.Policy} | {point.Setting} | {point.CompressionRatio:F1}x | {point.Parameters:N0} | {point.Accuracy:F4} |"));
        return 0;
    }

    /// <summary>The policies named by --policies (from the table compress's --policy reads), or every policy.</summary>
    private static IReadOnlyList<CompressionPolicy> Policies(CommandLine line) =>
        line.String("--policies") is { } names
            ? List(names, "--policies", text => OptionNames.Policies.TryGetValue(text, out var policy) ? policy : throw new UsageException($"--policies: '{text}' is not {OptionNames.OneOf(OptionNames.Policies)}"))
            : [.. OptionNames.Policies.Values];

    /// <summary>Target ratios (--ratios, default 5,10,20) or rank caps (--ranks), as named option setters.</summary>
    private static IReadOnlyList<(string Name, Action<CompressionOptions> Apply)> Settings(CommandLine line)
    {
        if (line.String("--ranks") is { } ranks)
            return List(ranks, "--ranks", text => CommandLine.WholeNumber("--ranks:", text, minimum: 1))
                .Select(r => ($"max rank {r}", (Action<CompressionOptions>)(o => o.MaxRank = r))).ToArray();
        return List(line.String("--ratios") ?? "5,10,20", "--ratios", text => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= 1 ? x : throw new UsageException($"--ratios: '{text}' is not a number ≥ 1"))
            .Select(x => (string.Create(CultureInfo.InvariantCulture, $"target {x}x"), (Action<CompressionOptions>)(o => o.TargetCompressionRatio = x))).ToArray();
    }

    private static T[] List<T>(string text, string option, Func<string, T> parse)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new UsageException($"{option} needs a comma-separated list");
        return items.Select(parse).ToArray();
    }
}

using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// Layer-wise recovery at whole-model target ratios: a sample model compressed and re-fitted on the first N of Debian's
/// Fashion-MNIST training images (1,000 by default), scored on the 10,000 test images, with the time compression took.
/// Settings are "policy=hybrid|tt|ht", "allocation=largest|total|…", "rows=N", "offset=N" (the first training image),
/// "minimum=N" (MinimumLayerParameters),
/// "seed=N", "sweeps=N", "cg=N", "steps=N", "shrinkage=λ"; the rest are ratios.
/// </summary>
public static class LayerwiseAccuracy
{
    private const string Debian = "/usr/share/datasets/fashion-mnist";

    public static void Report(string modelPath, IReadOnlyList<string> settings, TextWriter output)
    {
        var invariant = CultureInfo.InvariantCulture;
        string Setting(string name, string fallback) => settings.FirstOrDefault(s => s.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
        int rows = int.Parse(Setting("rows", "1000"), invariant);
        int offset = int.Parse(Setting("offset", "0"), invariant);
        var refit = new RefitOptions
        {
            AlternatingSweeps = int.Parse(Setting("sweeps", new RefitOptions().AlternatingSweeps.ToString(invariant)), invariant),
            ConjugateGradientSteps = int.Parse(Setting("cg", new RefitOptions().ConjugateGradientSteps.ToString(invariant)), invariant),
            Steps = int.Parse(Setting("steps", new RefitOptions().Steps.ToString(invariant)), invariant),
            Shrinkage = double.Parse(Setting("shrinkage", new RefitOptions().Shrinkage.ToString(invariant)), invariant),
            Seed = int.Parse(Setting("seed", new RefitOptions().Seed.ToString(invariant)), invariant),
        };
        var train = Read("train");
        var test = Read("t10k");
        var calibration = train.Samples.Take(offset, rows);
        var original = OnnxModel.Load(modelPath);
        output.WriteLine($"{Path.GetFileName(modelPath)}: original accuracy {ClassifierAccuracy.Measure(original, test.Samples, test.Labels):F4} on Debian's {test.Samples.Count:N0} test images; re-fit on training images {offset}…{offset + rows - 1}, {refit}");
        foreach (string ratio in settings.Where(s => !s.Contains('=')))
        {
            var options = new CompressionOptions { TargetCompressionRatio = double.Parse(ratio, invariant) };
            options.Policy = OptionNames.Policies[Setting("policy", "hybrid")];
            options.RankAllocation = OptionNames.Allocations[Setting("allocation", "uniform")];
            options.MinimumLayerParameters = int.Parse(Setting("minimum", options.MinimumLayerParameters.ToString(invariant)), invariant);
            var clock = Stopwatch.StartNew();
            var result = OnnxModelCompressor.Compress(original, options, calibration, refit, progress: line => output.WriteLine($"    {line}"));
            clock.Stop();
            output.WriteLine(string.Create(invariant,
                $"  {options.Policy} {options.RankAllocation} target {ratio}x ({result.Report.CompressionRatio:F1}x): layer-wise accuracy {ClassifierAccuracy.Measure(result.Model, test.Samples, test.Labels):F4}, compression + re-fit {clock.Elapsed.TotalSeconds:F0} s"));
            // The ranks chosen: what the allocations differ in.
            output.WriteLine("    ranks: " + string.Join(", ", result.Report.Layers.Where(l => l.Ranks is not null && l.Format != "dense")
                .Select(l => string.Create(invariant, $"{l.Name} {l.Ranks!.Max()} ({l.ParametersAfter:N0})"))));
        }
    }

    /// <summary>Debian's Fashion-MNIST split "train" or "t10k": the images as calibration samples, and their labels.</summary>
    internal static (CalibrationSet Samples, int[] Labels) Read(string split)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(Path.Combine(Debian, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Path.Combine(Debian, $"{split}-labels-idx1-ubyte.gz"));
        return (new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }
}

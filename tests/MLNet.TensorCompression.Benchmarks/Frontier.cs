using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.TorchSharp;
using ScottPlot;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The accuracy-vs-ratio frontier of a Fashion-MNIST sample (the paper's comparison made with this tool): Hybrid,
/// TT-only and HT-only, layer-wise re-fitted on 1,000 of Debian's training images at 5x … 80x, and distilled for one
/// epoch on all 60,000 from those layer-wise models at 20x and 40x (three distillation seeds at 40x: mean and spread);
/// accuracy on the 10,000 test images. Every
/// point is appended to a CSV beside the PNG as soon as it is measured, and a point already in the CSV is not measured
/// again, so an interrupted run resumes where it stopped.
/// </summary>
public static class Frontier
{
    private const string Debian = "/usr/share/datasets/fashion-mnist";
    private const int CalibrationImages = 1000;
    private static readonly double[] LayerwiseRatios = [5, 10, 20, 40, 80];
    private static readonly (double Ratio, int Seeds)[] Distilled = [(20, 1), (40, 3)];
    private static readonly (string Name, CompressionPolicy Policy)[] Policies =
        [("Hybrid", CompressionPolicy.Hybrid), ("TT", CompressionPolicy.TensorTrain), ("HT", CompressionPolicy.HierarchicalTucker)];

    public static void Run(string modelPath, string pngPath, TextWriter output)
    {
        string csvPath = Path.ChangeExtension(pngPath, ".csv");
        var points = File.Exists(csvPath) ? File.ReadAllLines(csvPath).Skip(1).Where(l => l.Length > 0).Select(FrontierPoint.Parse).ToList() : [];
        if (!File.Exists(csvPath)) File.WriteAllText(csvPath, FrontierPoint.Header + "\n");
        var train = Read("train");
        var test = Read("t10k");
        var original = OnnxModel.Load(modelPath);
        double originalAccuracy = ClassifierAccuracy.Measure(original, test.Samples, test.Labels);
        output.WriteLine($"{Path.GetFileName(modelPath)}: original accuracy {originalAccuracy:F4}; {points.Count} point(s) already in {csvPath}");

        void Measure(string policy, string recovery, double ratio, int seed, Func<(OnnxModel Model, double Ratio)> run)
        {
            var key = new FrontierPoint(policy, recovery, ratio, seed, 0, 0, 0).Key;
            if (points.Any(p => p.Key == key)) return;
            var clock = Stopwatch.StartNew();
            var (model, achieved) = run();
            var point = new FrontierPoint(policy, recovery, ratio, seed, achieved, ClassifierAccuracy.Measure(model, test.Samples, test.Labels), clock.Elapsed.TotalSeconds);
            points.Add(point);
            File.AppendAllText(csvPath, point.ToCsv() + "\n");
            output.WriteLine($"  {point.ToCsv()}");
        }

        // Layer-wise models are kept (in the temporary folder) for the distilled points, which start from them.
        string cache = Path.Combine(Path.GetTempPath(), "mlnet-tc-frontier", Path.GetFileNameWithoutExtension(modelPath));
        if (points.Count == 0 && Directory.Exists(cache)) Directory.Delete(cache, recursive: true); // a fresh run re-fits
        Directory.CreateDirectory(cache);
        var calibration = train.Samples.Take(0, CalibrationImages);
        foreach (var (name, policy) in Policies)
            foreach (double ratio in LayerwiseRatios)
            {
                string cached = Path.Combine(cache, string.Create(CultureInfo.InvariantCulture, $"{name}-{ratio}x.onnx"));
                OnnxModel LayerWise()
                {
                    if (File.Exists(cached)) return OnnxModel.Load(cached);
                    var result = OnnxModelCompressor.Compress(original, new CompressionOptions { Policy = policy, TargetCompressionRatio = ratio }, calibration);
                    result.Model.Save(cached);
                    return result.Model;
                }
                Measure(name, "layer-wise", ratio, 0, () => { var model = LayerWise(); return (model, Ratio(original, model)); });
                int seeds = Distilled.FirstOrDefault(d => d.Ratio == ratio).Seeds;
                for (int seed = 0; seed < seeds; seed++)
                    Measure(name, "distilled", ratio, seed, () =>
                    {
                        var outcome = new DistillationFineTuning { Epochs = 1 }.Run(new FineTuningRequest(original, LayerWise(), train.Samples, train.Labels, seed));
                        return (outcome.Model, Ratio(original, outcome.Model));
                    });
            }

        Plot(pngPath, Path.GetFileNameWithoutExtension(modelPath), originalAccuracy, points);
        output.WriteLine($"wrote {pngPath} and {csvPath}");
    }

    /// <summary>Layer-wise points as a line per policy; distilled points as markers with the seeds' spread (±1 standard deviation).</summary>
    private static void Plot(string path, string modelName, double originalAccuracy, IReadOnlyList<FrontierPoint> points)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int p = 0; p < Policies.Length; p++)
        {
            string name = Policies[p].Name;
            var color = palette.GetColor(p);
            var layerwise = points.Where(x => x.Policy == name && x.Recovery == "layer-wise").OrderBy(x => x.CompressionRatio).ToArray();
            if (layerwise.Length > 0)
            {
                var line = plot.Add.Scatter(layerwise.Select(x => x.CompressionRatio).ToArray(), layerwise.Select(x => x.Accuracy).ToArray(), color);
                line.LegendText = $"{name}, layer-wise";
                line.LineWidth = 2;
                line.MarkerSize = 7;
            }
            var distilled = points.Where(x => x.Policy == name && x.Recovery == "distilled").GroupBy(x => x.TargetRatio).OrderBy(g => g.Key).ToArray();
            if (distilled.Length == 0) continue;
            double[] xs = distilled.Select(g => g.Average(x => x.CompressionRatio)).ToArray();
            double[] ys = distilled.Select(g => g.Average(x => x.Accuracy)).ToArray();
            double[] spread = distilled.Select(g => StandardDeviation(g.Select(x => x.Accuracy).ToArray())).ToArray();
            var markers = plot.Add.Scatter(xs, ys, color);
            markers.LineWidth = 0;
            markers.MarkerSize = 11;
            markers.MarkerShape = MarkerShape.FilledDiamond;
            markers.LegendText = $"{name}, + 1 epoch distillation";
            var bars = plot.Add.ErrorBar(xs, ys, spread);
            bars.Color = color;
        }
        var original = plot.Add.HorizontalLine(originalAccuracy);
        original.LegendText = "original";
        original.LinePattern = LinePattern.Dashed;
        plot.Title($"{modelName}: accuracy vs compression (Fashion-MNIST, 10,000 test images)");
        plot.XLabel("whole-model compression ratio (parameters before / after)");
        plot.YLabel("top-1 accuracy");
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, 1000, 620);
    }

    private static double Ratio(OnnxModel original, OnnxModel compressed) => (double)original.ParameterCount / compressed.ParameterCount;

    private static double StandardDeviation(double[] values)
    {
        if (values.Length < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    private static (CalibrationSet Samples, int[] Labels) Read(string split)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(Path.Combine(Debian, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Path.Combine(Debian, $"{split}-labels-idx1-ubyte.gz"));
        return (new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }
}

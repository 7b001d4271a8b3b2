using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The original model against its compressions at one target ratio under each <see cref="CompressionObjective"/>:
/// latency at batch 1 and 64 (every model in one process, run in turn each round, medians, ratios to the original's),
/// session memory at batch 1 (<see cref="SessionMemory"/>: separate processes), accuracy on Debian's Fashion-MNIST test
/// images when present, and the form each layer runs in. Data-free, or re-fitted layer-wise on calibration images
/// ("calibration=images.idx3-ubyte", "rows=N").
/// </summary>
public static class ObjectiveComparison
{
    private const string DebianTest = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    private static readonly int[] Batches = [1, 64];
    private const int Rounds = 100;

    public static void Report(string modelPath, double ratio, IReadOnlyList<string> settings, TextWriter output)
    {
        var invariant = CultureInfo.InvariantCulture;
        string? Setting(string name) => settings.FirstOrDefault(s => s.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        var calibration = Setting("calibration") is { } calibrationPath ? Images(calibrationPath, int.Parse(Setting("rows") ?? "1000", invariant)) : null;
        var original = OnnxModel.Load(modelPath);
        var directory = Directory.CreateTempSubdirectory("objectives-");
        var models = new List<(string Name, string File, OnnxModel Model, CompressionReport? Report)> { ("original", modelPath, original, null) };
        foreach (var objective in Enum.GetValues<CompressionObjective>())
        {
            var options = new CompressionOptions { TargetCompressionRatio = ratio, Objective = objective, LatencyBatchSizes = Batches };
            var clock = Stopwatch.StartNew();
            var result = calibration is null
                ? OnnxModelCompressor.Compress(original, options)
                : OnnxModelCompressor.Compress(original, options, calibration, refit: null);
            output.WriteLine(string.Create(invariant, $"compressed for {objective} in {clock.Elapsed.TotalSeconds:F0} s: {result.Report.CompressionRatio:F1}x; ")
                + string.Join(", ", result.Report.Layers.Select(l => $"{l.Name} {l.ExecutionMode ?? "dense"}")));
            var file = Path.Combine(directory.FullName, $"{objective}.onnx".ToLowerInvariant());
            result.Model.Save(file);
            models.Add((objective.ToString(), file, result.Model, result.Report));
        }

        var latency = Batches.ToDictionary(batch => batch, batch =>
        {
            var sessions = models.Select(m => OnnxRuntimeLayerTimer.CreateSession(m.Model)).ToArray();
            try { return OnnxRuntimeLayerTimer.AlternatingMedians(sessions, sessions.Select(s => OnnxRuntimeLayerTimer.InputShape(s, batch)).ToArray(), Rounds); }
            finally { foreach (var session in sessions) session.Dispose(); }
        });
        var test = File.Exists(DebianTest) ? Images(DebianTest, rows: 10_000) : null;
        var labels = test is null ? null : IdxFile.ReadLabels(DebianTest.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal));

        output.WriteLine(string.Create(invariant, $"{Path.GetFileName(modelPath)} at {ratio:0.##}x, {(calibration is null ? "data-free" : $"re-fitted on {calibration.Count} images")}; ")
            + string.Create(invariant, $"latency: medians of {Rounds} rounds, all models in one process in turn (ratio to the original); memory: peak RSS minus a one-node model's, separate processes"));
        output.WriteLine("  model      | ratio | accuracy | batch 1 ms (x)    | batch 64 ms (x)   | memory MB (x)  | run-time weights");
        double originalMemory = 0;
        for (int i = 0; i < models.Count; i++)
        {
            var (name, path, model, report) = models[i];
            double memory = SessionMemory.Megabytes(path, batch: 1);
            if (i == 0) originalMemory = memory;
            string accuracy = test is null ? "-" : ClassifierAccuracy.Measure(model, test, labels!).ToString("F4", invariant);
            long runtimeWeights = report?.Layers.Sum(l => l.RuntimeParameters) ?? original.ParameterCount;
            output.WriteLine(string.Create(invariant,
                $"  {name,-10} | {report?.CompressionRatio ?? 1,5:F1} | {accuracy,8} | {latency[1][i],7:F3} ({latency[1][i] / latency[1][0],5:F2}x) | {latency[64][i],7:F3} ({latency[64][i] / latency[64][0],5:F2}x) | {memory,6:F1} ({memory / originalMemory,4:F2}x) | {runtimeWeights:N0}"));
        }
        directory.Delete(recursive: true);
    }

    private static CalibrationSet Images(string path, int rows)
    {
        var (pixels, count, height, width) = IdxFile.ReadImages(path);
        return new CalibrationSet("input", [1, height, width], pixels).Take(0, Math.Min(rows, count));
    }
}

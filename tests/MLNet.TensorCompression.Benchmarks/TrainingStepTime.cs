using System.Diagnostics;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// Time of one distillation training step of a compressed model against one plain training step of the dense original
/// (all its weights trainable), both on TorchSharp, measured alternately in one process so the machine's load hits both.
/// </summary>
public static class TrainingStepTime
{
    private const int BatchSize = 64, WarmupSteps = 5, Rounds = 10, StepsPerRound = 5;

    /// <summary>Prints the median step times and their ratio for a few compressions of the model.</summary>
    public static void Report(string modelPath, TextWriter output)
    {
        var original = OnnxModel.Load(modelPath);
        manual_seed(0);
        using var inputs = rand(BatchSize, 1, 28, 28).DetachFromDisposeScope();
        using var labels = randint(0, 10, BatchSize).DetachFromDisposeScope();
        using var dense = OnnxTorchGraph.Create(original, original.Graph.Initializer.Where(t => t.DataType == 1).Select(t => t.Name).ToHashSet());
        using var teacher = OnnxTorchGraph.Create(original, trainFactors: false);
        output.WriteLine($"{Path.GetFileName(modelPath)}: median ms per training step at batch {BatchSize}, {get_num_threads()} threads, {Rounds}×{StepsPerRound} steps each, alternating");

        var defaults = new DistillationFineTuning();
        foreach (var (name, options) in new (string, CompressionOptions)[]
        {
            ("Hybrid target 20x, Auto", new() { TargetCompressionRatio = 20 }),
            ("Hybrid target 20x, Reconstructed", new() { TargetCompressionRatio = 20, ExecutionMode = LayerExecutionMode.Reconstructed }),
            ("Hybrid target 20x, Factorized", new() { TargetCompressionRatio = 20, ExecutionMode = LayerExecutionMode.Factorized }),
        })
        {
            using var student = OnnxTorchGraph.Create(OnnxModelCompressor.Compress(original, options).Model, trainFactors: true);
            using var denseOptimizer = optim.Adam(dense.Parameters.Values, 1e-4);
            using var studentOptimizer = optim.Adam(student.Parameters.Values, 1e-4);
            Step denseStep = () => Train(denseOptimizer, F.cross_entropy(dense.Forward(inputs), labels));
            Step distillStep = () =>
            {
                Tensor target;
                using (no_grad()) target = teacher.Forward(inputs);
                Train(studentOptimizer, DistillationLoss.Compute(student.Forward(inputs), target, labels, defaults.Temperature, defaults.DistillationWeight));
            };
            for (int i = 0; i < WarmupSteps; i++) { Time(denseStep, 1); Time(distillStep, 1); }
            var denseTimes = new List<double>();
            var distillTimes = new List<double>();
            for (int round = 0; round < Rounds; round++)
            {
                denseTimes.Add(Time(denseStep, StepsPerRound));
                distillTimes.Add(Time(distillStep, StepsPerRound));
            }
            double denseMedian = Median(denseTimes), distillMedian = Median(distillTimes);
            output.WriteLine($"  {name,-34} dense {denseMedian,7:F1} ms  distillation step (teacher forward + student step) {distillMedian,7:F1} ms  ratio {distillMedian / denseMedian:F2}x  ({student.Parameters.Values.Sum(p => p.numel()):N0} trainable vs {dense.Parameters.Values.Sum(p => p.numel()):N0})");
        }
    }

    private delegate void Step();

    private static void Train(optim.Optimizer optimizer, Tensor loss)
    {
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        loss.item<float>();
    }

    /// <summary>Milliseconds per step over <paramref name="steps"/> steps.</summary>
    private static double Time(Step step, int steps)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            step();
        }
        return clock.Elapsed.TotalMilliseconds / steps;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}

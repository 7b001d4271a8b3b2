using System.Diagnostics;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// Time of one distillation training step of a compressed model — the library's own step (<c>DistillationRun.TrainStep</c>:
/// batch loading, cached teacher outputs or a teacher forward, student forward and backward, Adam) — against one plain
/// training step of the dense original (all its weights trainable, cross-entropy) at the same batch size, both on
/// TorchSharp, measured alternately in one process so the machine's load hits both. Also: what caching the teacher's
/// outputs costs with ONNX Runtime against the TorchSharp executor, and what loading a batch costs.
/// </summary>
public static class TrainingStepTime
{
    private const int Rows = 4096, WarmupSteps = 3, Rounds = 6, StepsPerRound = 3;

    /// <summary>Prints the median step times and their ratio for several distillation settings and compressions.</summary>
    public static void Report(string modelPath, TextWriter output)
    {
        var original = OnnxModel.Load(modelPath);
        manual_seed(0);
        var random = new Random(0);
        var sampleShape = original.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue).ToArray();
        var samples = new CalibrationSet(original.Graph.Input[0].Name, sampleShape, Enumerable.Range(0, Rows * (int)sampleShape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextSingle()).ToArray());
        var labels = Enumerable.Range(0, Rows).Select(_ => random.Next(10)).ToArray();
        using var dense = OnnxTorchGraph.Create(original, OnnxTorchGraph.FloatInitializers(original.Proto));
        var defaults = new DistillationFineTuning();
        output.WriteLine($"{Path.GetFileName(modelPath)}: median ms per training step, {Environment.ProcessorCount} logical processors (libtorch's own default: {get_num_threads()} threads), {Rounds}×{StepsPerRound} steps each, alternating with a dense step at the same batch size");
        TeacherCacheCost(original, samples, defaults.BatchSize, output);

        var auto = OnnxModelCompressor.Compress(original, new CompressionOptions { TargetCompressionRatio = 20 }).Model;
        foreach (var (name, compressed, settings) in new (string, OnnxModel, DistillationFineTuning)[]
        {
            ("20x Auto, defaults", auto, new()),
            ("20x Auto, defaults, teacher per step", auto, new() { CacheTeacherOutputs = false }),
            ("20x Auto, defaults, compressed only", auto, new() { TrainableParameters = TrainableParameters.CompressedOnly }),
            ("20x Auto, defaults, 1 thread", auto, new() { Threads = 1 }),
            ("20x Auto, old defaults", auto, new() { BatchSize = 64, CacheTeacherOutputs = false, TrainableParameters = TrainableParameters.CompressedOnly, DistillationWeight = 0.9 }),
        })
        {
            settings.ValidationFraction = 0;
            using var run = DistillationRun.Start(settings, new FineTuningRequest(original, compressed, samples, labels));
            using var inputs = rand([settings.BatchSize, .. sampleShape]).DetachFromDisposeScope();
            using var targets = randint(0, 10, settings.BatchSize).DetachFromDisposeScope();
            using var denseOptimizer = optim.Adam(dense.Parameters.Values, 1e-4);
            int step = 0;
            Step denseStep = () => Train(denseOptimizer, F.cross_entropy(dense.Forward(inputs), targets));
            Step distillStep = () => run.TrainStep(step++);
            for (int i = 0; i < WarmupSteps; i++) { Time(denseStep, 1); Time(distillStep, 1); }
            var denseTimes = new List<double>();
            var distillTimes = new List<double>();
            for (int round = 0; round < Rounds; round++)
            {
                denseTimes.Add(Time(denseStep, StepsPerRound));
                distillTimes.Add(Time(distillStep, StepsPerRound));
            }
            double denseMedian = Median(denseTimes), distillMedian = Median(distillTimes);
            output.WriteLine($"  {name,-38} batch {settings.BatchSize,3}, {get_num_threads()} threads: dense {denseMedian,6:F1} ms  distillation {distillMedian,6:F1} ms ({distillMedian / settings.BatchSize:F2} ms/row)  ratio {distillMedian / denseMedian:F2}x  ({run.TrainedValues:N0} trained vs {dense.Parameters.Values.Sum(p => p.numel()):N0})");
        }
        BatchLoadingCost(original, samples, labels, defaults.BatchSize, output);
    }

    /// <summary>Caching the teacher's outputs for every row: ONNX Runtime (what the library does) against the TorchSharp executor in batches.</summary>
    private static void TeacherCacheCost(OnnxModel original, CalibrationSet samples, int batchSize, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        foreach (var outputs in TeacherOutputs.Compute(original, samples, [original.Graph.Output[0].Name])) outputs.Dispose();
        var onnxRuntime = clock.Elapsed;
        using var teacher = OnnxTorchGraph.Create(original, trainFactors: false);
        using var inputs = tensor(samples.Data, [samples.Count, .. samples.SampleShape]).DetachFromDisposeScope();
        clock.Restart();
        using (no_grad())
        {
            for (int start = 0; start < samples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                teacher.Forward(inputs.narrow(0, start, Math.Min(batchSize, samples.Count - start)));
            }
        }
        var torch = clock.Elapsed;
        output.WriteLine($"  teacher outputs for {samples.Count:N0} rows: ONNX Runtime {onnxRuntime.TotalSeconds:F2} s, TorchSharp executor (batch {batchSize}) {torch.TotalSeconds:F2} s; "
            + $"cached with ONNX Runtime, that is {onnxRuntime.TotalMilliseconds / samples.Count * batchSize:F1} ms per {batchSize}-row step, once per run");
    }

    /// <summary>What taking one shuffled batch (inputs, labels, cached teacher outputs) out of the rows costs.</summary>
    private static void BatchLoadingCost(OnnxModel original, CalibrationSet samples, int[] labels, int batchSize, TextWriter output)
    {
        var teacherOutputs = TeacherOutputs.Compute(original, samples, [original.Graph.Output[0].Name]);
        using var data = DistillationData.Split(samples, labels, teacherOutputs, 0, 0);
        foreach (var outputs in teacherOutputs) outputs.Dispose(); // the split copies them
        const int batches = 200;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
        {
            using var scope = NewDisposeScope();
            data.Batch(i, batchSize);
        }
        output.WriteLine($"  loading a batch of {batchSize} rows: {clock.Elapsed.TotalMilliseconds / batches:F3} ms");
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

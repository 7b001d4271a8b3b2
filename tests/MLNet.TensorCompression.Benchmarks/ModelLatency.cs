using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// ONNX Runtime latency of a sample model and of its compressed forms, measured in one run and reported as ratios to
/// the original (the machine is shared and noisy: only ratios within one run mean anything).
/// </summary>
public static class ModelLatency
{
    /// <summary>Variants compared: name → compression options (null = the original model).</summary>
    public static IReadOnlyList<(string Name, CompressionOptions? Options)> Variants { get; } =
    [
        ("original", null),
        ("rank 16, auto", new CompressionOptions { MaxRank = 16 }),
        ("rank 16, factorized", new CompressionOptions { MaxRank = 16, ExecutionMode = LayerExecutionMode.Factorized }),
        ("rank 16, reconstructed", new CompressionOptions { MaxRank = 16, ExecutionMode = LayerExecutionMode.Reconstructed }),
    ];

    /// <summary>Prints median latency per variant and batch size, and the ratio to the original's.</summary>
    public static void Report(string modelPath, TextWriter output, int repetitions = 200)
    {
        var original = OnnxModel.Load(modelPath);
        output.WriteLine($"{Path.GetFileName(modelPath)}: median ONNX Runtime latency over {repetitions} runs (ratio to the original in the same run)");
        var sessions = Variants.Select(v => (v.Name, Session: CreateSession(v.Options is null ? original : OnnxModelCompressor.Compress(original, v.Options).Model))).ToArray();
        foreach (int batch in new[] { 1, 64 })
        {
            double baseline = 0;
            foreach (var (name, session) in sessions)
            {
                double median = MedianMilliseconds(session, [batch, 1, 28, 28], repetitions);
                if (name == "original") baseline = median;
                output.WriteLine($"  batch {batch,2}  {name,-24} {median,8:F3} ms  {median / baseline,6:F2}x");
            }
        }
        foreach (var (_, session) in sessions) session.Dispose();
    }

    /// <summary>A session on the model's bytes, with the default (full) graph optimisation.</summary>
    public static InferenceSession CreateSession(OnnxModel model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        return new InferenceSession(model.ToBytes(), options);
    }

    /// <summary>Median wall time of one run on an input of the given shape, after a few warm-up runs.</summary>
    public static double MedianMilliseconds(InferenceSession session, long[] inputShape, int repetitions)
    {
        var input = new float[inputShape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < input.Length; i++) input[i] = (i % 97) / 97f;
        using var value = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var runOptions = new RunOptions();
        string inputName = session.InputNames[0], outputName = session.OutputNames[0];
        var times = new double[repetitions];
        for (int i = -5; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            using var outputs = session.Run(runOptions, [inputName], [value], [outputName]);
            if (i >= 0) times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repetitions / 2];
    }
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

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

    /// <summary>Prints median latency per variant and batch size (every variant run in turn each round), and the ratio to the original's.</summary>
    public static void Report(string modelPath, TextWriter output, int rounds = 200)
    {
        var original = OnnxModel.Load(modelPath);
        output.WriteLine($"{Path.GetFileName(modelPath)}: median ONNX Runtime latency over {rounds} rounds (ratio to the original in the same run)");
        var sessions = Variants.Select(v => OnnxRuntimeLayerTimer.CreateSession(v.Options is null ? original : OnnxModelCompressor.Compress(original, v.Options).Model)).ToArray();
        foreach (int batch in new[] { 1, 64 })
        {
            var medians = OnnxRuntimeLayerTimer.AlternatingMedians(sessions, sessions.Select(s => OnnxRuntimeLayerTimer.InputShape(s, batch)).ToArray(), rounds);
            for (int i = 0; i < sessions.Length; i++)
                output.WriteLine($"  batch {batch,2}  {Variants[i].Name,-24} {medians[i],8:F3} ms  {medians[i] / medians[0],6:F2}x");
        }
        foreach (var session in sessions) session.Dispose();
    }
}

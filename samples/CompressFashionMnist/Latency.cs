using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace CompressFashionMnist;

/// <summary>
/// ONNX Runtime latency of a model relative to the original, both run on one batch of real images in this process.
/// The two are run alternately, so a machine that gets busier or quieter during the measurement affects both alike.
/// </summary>
internal sealed class Latency : IDisposable
{
    public const int BatchSize = 64;
    public const int Runs = 50;
    private const int WarmUpRuns = 5;

    private readonly InferenceSession original;
    private readonly OrtValue batch;
    private readonly RunOptions runOptions = new();

    /// <param name="originalModel">The original model's bytes.</param>
    /// <param name="images">At least <see cref="BatchSize"/> images, of which the first batch is fed.</param>
    public Latency(byte[] originalModel, FashionImage[] images)
    {
        original = new InferenceSession(originalModel);
        batch = OrtValue.CreateTensorValueFromMemory(FashionMnist.Batch(images, BatchSize), [BatchSize, 1, 28, 28]);
    }

    /// <summary>Median run time of <paramref name="model"/> divided by the original's, over <see cref="Runs"/> runs each.</summary>
    public double RatioToOriginal(byte[] model)
    {
        using var session = new InferenceSession(model);
        var original = new double[Runs];
        var compressed = new double[Runs];
        for (int i = -WarmUpRuns; i < Runs; i++)
        {
            double originalTime = Time(this.original), compressedTime = Time(session);
            if (i < 0) continue;
            original[i] = originalTime;
            compressed[i] = compressedTime;
        }
        return Median(compressed) / Median(original);
    }

    private double Time(InferenceSession session)
    {
        var clock = Stopwatch.StartNew();
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [batch], [session.OutputNames[0]]);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(double[] times)
    {
        Array.Sort(times);
        return times[times.Length / 2];
    }

    public void Dispose()
    {
        runOptions.Dispose();
        batch.Dispose();
        original.Dispose();
    }
}

using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace TransferLearningResNet18;

/// <summary>What scoring a featurizer costs in ONNX Runtime: latency relative to another model, and session memory.</summary>
internal static class SessionCost
{
    private const int Runs = 30, WarmUpRuns = 3;

    /// <summary>
    /// Median time of one image through <paramref name="model"/> divided by <paramref name="baseline"/>'s, the two run
    /// alternately on the same input, so a machine that gets busier or quieter affects both alike.
    /// </summary>
    public static (double BaselineMilliseconds, double ModelMilliseconds) Latency(string baseline, string model, string inputName, float[] image)
    {
        using var first = new InferenceSession(baseline);
        using var second = new InferenceSession(model);
        using var input = OrtValue.CreateTensorValueFromMemory(image, [1, 3, Featurizer.ImageSide, Featurizer.ImageSide]);
        var times = (First: new List<double>(), Second: new List<double>());
        for (int i = -WarmUpRuns; i < Runs; i++)
        {
            double a = Time(first, inputName, input), b = Time(second, inputName, input);
            if (i < 0) continue;
            times.First.Add(a);
            times.Second.Add(b);
        }
        return (Median(times.First), Median(times.Second));
    }

    /// <summary>
    /// Peak resident memory of a fresh process (this sample, <c>--score-once</c>) that loads <paramref name="model"/>
    /// and scores one image, minus that of the same process scoring <paramref name="reference"/> (a small model), in bytes.
    /// </summary>
    public static long SessionMemory(string model, string reference) => PeakOfScoringProcess(model) - PeakOfScoringProcess(reference);

    /// <summary>The child process's work: score one zero image with the model and print the peak resident set.</summary>
    public static void ScoreOnce(string model)
    {
        using var session = new InferenceSession(model);
        var input = session.InputMetadata.Values.Single();
        var shape = input.Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [value], session.OutputNames);
        Console.WriteLine(PeakResidentBytes());
    }

    /// <summary>This process's peak resident set (VmHWM), in bytes.</summary>
    public static long PeakResidentBytes() => ProcessStatus("VmHWM:");

    /// <summary>This process's resident set now (VmRSS), in bytes.</summary>
    public static long ResidentBytes() => ProcessStatus("VmRSS:");

    private static long ProcessStatus(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    private static long PeakOfScoringProcess(string model)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        // Run under the same host as this process (dotnet TransferLearningResNet18.dll, or the apphost).
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(SessionCost).Assembly.Location);
        start.ArgumentList.Add("--score-once");
        start.ArgumentList.Add(model);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Scoring {model} in a child process failed (exit {process.ExitCode}).");
        return long.Parse(output.Trim());
    }

    private static double Time(InferenceSession session, string inputName, OrtValue input)
    {
        var clock = Stopwatch.StartNew();
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [input], session.OutputNames);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
}

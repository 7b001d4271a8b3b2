using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// Session memory of a model in ONNX Runtime .NET: the peak resident set (VmHWM) of a fresh process that loads the
/// model from its file and scores one batch, minus that of the same process scoring a one-node model (Identity on the
/// same input), so the runtime's own footprint cancels out. Each measurement is a child process: this program with
/// <c>--score-once</c>; the median of <see cref="Repetitions"/> (the same model's peak varies by a few MB between runs).
/// </summary>
public static class SessionMemory
{
    private const int Repetitions = 3;

    /// <summary>Prints each model's session memory at <paramref name="batch"/> and its ratio to the first model's.</summary>
    public static void Report(IReadOnlyList<string> modelPaths, int batch, TextWriter output)
    {
        output.WriteLine($"session memory at batch {batch}: peak RSS of a process scoring the model minus that of one scoring a one-node model (ONNX Runtime .NET)");
        double? first = null;
        foreach (var path in modelPaths)
        {
            double megabytes = Megabytes(path, batch);
            first ??= megabytes;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Path.GetFileName(path),-40} {megabytes,8:F1} MB  {megabytes / first.Value,6:F2}x"));
        }
    }

    /// <summary>The session memory of the model file in MB (peak RSS minus the one-node baseline's).</summary>
    public static double Megabytes(string modelPath, int batch)
    {
        var baseline = Path.Combine(Path.GetTempPath(), $"one-node-{Environment.ProcessId}-{Path.GetFileNameWithoutExtension(modelPath)}.onnx");
        try
        {
            OneNodeModel(OnnxModel.Load(modelPath)).Save(baseline);
            return (MedianPeakKilobytes(modelPath, batch) - MedianPeakKilobytes(baseline, batch)) / 1024.0;
        }
        finally
        {
            File.Delete(baseline);
        }
    }

    /// <summary>The child's side: loads the model from its file, scores one batch of zeros, prints the process's VmHWM in kB.</summary>
    public static void ScoreOnce(string modelPath, int batch, TextWriter output)
    {
        using var session = new InferenceSession(modelPath);
        var name = session.InputNames[0];
        var shape = Planning.OnnxRuntimeLayerTimer.InputShape(session, batch);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [name], [input], [session.OutputNames[0]]);
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        output.WriteLine(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    private static long MedianPeakKilobytes(string modelPath, int batch) =>
        Enumerable.Range(0, Repetitions).Select(_ => PeakKilobytes(modelPath, batch)).Order().ElementAt(Repetitions / 2);

    private static long PeakKilobytes(string modelPath, int batch)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Under 'dotnet Benchmarks.dll' the host is dotnet; under the apphost, the program itself.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(SessionMemory).Assembly.Location);
        foreach (var argument in new[] { "--score-once", modelPath, batch.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(argument);
        using var child = Process.Start(start)!;
        string stdout = child.StandardOutput.ReadToEnd(), stderr = child.StandardError.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"scoring {modelPath} in a child process failed ({child.ExitCode}): {stderr}");
        return long.Parse(stdout.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Identity on the model's first input: the baseline process loads ONNX Runtime and runs a session, and holds no weights.</summary>
    private static OnnxModel OneNodeModel(OnnxModel model)
    {
        var input = model.Graph.Input.First(i => !model.Graph.Initializer.Any(t => t.Name == i.Name)).Clone();
        var graph = new GraphProto { Name = "one_node" };
        graph.Input.Add(input);
        graph.Output.Add(new ValueInfoProto { Name = "y", Type = input.Type.Clone() });
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "identity", Input = { input.Name }, Output = { "y" } });
        var proto = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "SessionMemory" };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return new OnnxModel(proto);
    }
}

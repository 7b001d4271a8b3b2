using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary><c>evaluate</c>: top-1 accuracy and ONNX Runtime latency of any single-input classifier on labelled data.</summary>
internal sealed class EvaluateCommand : Command
{
    private const int LatencyRuns = 50;

    private readonly Argument<string> modelFile = new("model.onnx") { Description = "a single-input classifier" };
    private readonly Option<string?> data = CommandOptions.Text("--data", "images.idx3-ubyte|file.csv",
        "labelled data: IDX images with their …labels.idx1-ubyte beside them, or CSV rows \"label,value,…\"");
    private readonly Option<bool> json = CommandOptions.Flag("--json", "print the result as JSON");

    /// <summary>The command, its argument and options.</summary>
    public EvaluateCommand()
        : base("evaluate", "Top-1 accuracy and ONNX Runtime latency of a single-input classifier on labelled data.")
    {
        data.Required = true;
        Add(modelFile);
        Add(data);
        Add(json);
        SetAction(Run);
    }

    private int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        string modelPath = parse.GetRequiredValue(modelFile), dataPath = parse.GetRequiredValue(data)!;
        CommandPaths.Check([("the model", modelPath), ("--data", dataPath)], []);
        var model = OnnxModel.Load(modelPath);
        var (inputName, sampleShape) = ModelInput.SingleWithFixedSample(model);
        var (samples, labels) = LabelledData.Read(dataPath, inputName, sampleShape);
        if (labels.Length != samples.Count)
            throw new InvalidDataException($"{dataPath}: {samples.Count} samples but {labels.Length} labels.");
        LabelledData.RequireClassesOf(model, labels, dataPath);

        double accuracy = ClassifierAccuracy.Measure(model, samples, labels);
        using var session = new InferenceSession(model.ToBytes());
        // A model with a fixed batch size runs only at that size (ONNX Runtime refuses any other).
        int? fixedBatch = ModelInput.FixedBatchSize(GraphInputs.Fed(model.Graph).Single());
        int small = Math.Min(fixedBatch ?? 1, samples.Count), large = Math.Min(fixedBatch ?? 64, samples.Count);
        double batch1 = MedianMilliseconds(session, samples, small), batch64 = MedianMilliseconds(session, samples, large);
        var invariant = CultureInfo.InvariantCulture;
        if (parse.GetValue(json))
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                model = modelPath, data = dataPath, samples = samples.Count, accuracy,
                parameters = model.ParameterCount, latencyMilliseconds = new { batch1, batch64 = batch64 },
            }, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        output.WriteLine(string.Create(invariant, $"{modelPath}: accuracy {accuracy:F4} on {samples.Count} samples of {dataPath}"));
        output.WriteLine(string.Create(invariant, $"parameters {model.ParameterCount:N0}; ONNX Runtime median latency over {LatencyRuns} runs: batch {small} {batch1:F3} ms, batch {large} {batch64:F3} ms"));
        return 0;
    }

    private static double MedianMilliseconds(InferenceSession session, CalibrationSet samples, int batch)
    {
        var first = samples.Data.AsMemory(0, batch * samples.SampleSize);
        using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, first, [batch, .. samples.SampleShape]);
        using var runOptions = new RunOptions();
        var times = new double[LatencyRuns];
        for (int i = -3; i < LatencyRuns; i++)
        {
            var clock = Stopwatch.StartNew();
            using var outputs = session.Run(runOptions, [samples.InputName], [value], [session.OutputNames[0]]);
            if (i >= 0) times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[LatencyRuns / 2];
    }
}

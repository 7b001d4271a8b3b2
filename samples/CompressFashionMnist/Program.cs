using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CompressFashionMnist;
using Microsoft.ML;
using MLNet.TensorCompression;
using MLNet.TensorCompression.Decomposition;
// Compresses a Fashion-MNIST CNN with mlContext.Transforms.CompressHybrid in several configurations and prints a
// Markdown table of ML.NET's metrics, sizes and latency for each. Usage: [--quick] [--model PATH]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // the table goes into a README: "0.9060", "1,000"

const int CalibrationRows = 1000, TestRows = 2000, SubsetTrainingRows = 2000;
// Distillation on the 2,000-image committed subset needs several passes; on the full 60,000 images one is enough.
const double SubsetEpochs = 5, FullSetEpochs = 1;
bool quick = false;
string? model = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") quick = true;
    else if (args[i] == "--model" && i + 1 < args.Length) model = args[++i];
    else
    {
        Console.Error.WriteLine("usage: CompressFashionMnist [--quick] [--model PATH]   (default model: samples/models/vgg-fashion.onnx)");
        return 2;
    }
}

var clock = Stopwatch.StartNew();
var paths = SamplePaths.Find(model);
var mlContext = new MLContext(seed: 0);
var testImages = FashionMnist.Read(paths, "fashion-test-2000", TestRows);
var calibration = mlContext.Data.LoadFromEnumerable(FashionMnist.Read(paths, "fashion-train-2000", CalibrationRows));
var test = mlContext.Data.LoadFromEnumerable(testImages);

using var latency = new Latency(File.ReadAllBytes(paths.Model), testImages);
var comparison = new Comparison(mlContext, paths.Model, calibration, test, latency);
var table = new ResultTable(Console.Out);

Console.Error.WriteLine($"original model {paths.Model}");
table.Add(comparison.MeasureOriginal());

CompressionPolicy[] policies = quick ? [CompressionPolicy.Hybrid] : [CompressionPolicy.Hybrid, CompressionPolicy.TensorTrain, CompressionPolicy.HierarchicalTucker];
double[] targetRatios = quick ? [10] : [10, 20];
foreach (var policy in policies)
    foreach (double targetRatio in targetRatios)
        foreach (int rows in new[] { 0, CalibrationRows })
        {
            Console.Error.WriteLine($"{policy}, target {targetRatio}x, {(rows == 0 ? "data-free" : $"data-aware on {rows} rows")} ({clock.Elapsed.TotalSeconds:0} s so far)");
            table.Add(comparison.MeasureCompressed(policy, targetRatio, rows));
        }

// Fine-tuning: layer-wise re-fit, then knowledge distillation from the original (MLNet.TensorCompression.TorchSharp).
// The full mode trains on Debian's 60,000 Fashion-MNIST training images when dataset-fashion-mnist is installed.
var fullTraining = quick ? null : FashionMnist.ReadFullTrainingSet();
var trainingImages = fullTraining ?? FashionMnist.Read(paths, "fashion-train-2000", SubsetTrainingRows);
var training = mlContext.Data.LoadFromEnumerable(trainingImages);
double epochs = fullTraining is null ? SubsetEpochs : FullSetEpochs;
foreach (double targetRatio in quick ? [20] : new double[] { 10, 20 })
{
    Console.Error.WriteLine($"Hybrid, target {targetRatio}x, data-aware + distillation on {trainingImages.Length:N0} images ({clock.Elapsed.TotalSeconds:0} s so far)");
    table.Add(comparison.MeasureFineTuned(CompressionPolicy.Hybrid, targetRatio, CalibrationRows, training, trainingImages.Length, epochs));
}

table.PrintAll(
    $"Measured by `samples/CompressFashionMnist` on {Environment.ProcessorCount} cores ({RuntimeInformation.OSDescription}, " +
    $"{RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}) in {clock.Elapsed.TotalMinutes:0.0} min: metrics from ML.NET's " +
    $"multiclass evaluator on the {TestRows:N0} images of fashion-test-2000 (log-loss on softmax probabilities); data-aware rows " +
    $"re-fitted on the first {CalibrationRows:N0} images of fashion-train-2000 (distilled rows: of their training images); " +
    $"distilled rows trained on {(fullTraining is null ? "the 2,000 images of fashion-train-2000" : $"Debian's {fullTraining.Length:N0} training images ({FashionMnist.DebianDirectory})")}; CR = parameters before ÷ after; latency = median " +
    $"of {Latency.Runs} ONNX Runtime runs of a batch of {Latency.BatchSize}, relative to the original measured alternately with it.");
return 0;

using System.Diagnostics;
using BenchmarkDotNet.Running;
using MLNet.TensorCompression.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --filter '*'
// One case, wall time and peak memory of this process (what BenchmarkDotNet does not report):
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --peak fc-4096x25088-tt-r32
// Latency of a model and its compressed forms in ONNX Runtime, as ratios measured in one run:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --latency samples/models/vgg-fashion.onnx
// Single layers, dense against factorised and reconstructed:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --layer-latency
if (args.Length == 2 && args[0] == "--latency")
{
    ModelLatency.Report(args[1], Console.Out);
    return;
}
// Accuracy of data-free compressions on the committed test subset:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --accuracy samples/models/vgg-fashion.onnx
if (args.Length == 2 && args[0] == "--accuracy")
{
    SubsetAccuracy.Report(args[1], Console.Out);
    return;
}
// Data-free against data-aware compression at whole-model ratios or rank caps (re-fit on 1,000 committed training images):
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --refit samples/models/vgg-fashion.onnx 10 r32
if (args.Length >= 3 && args[0] == "--refit")
{
    SubsetAccuracy.ReportDataAware(args[1], args[2..], Console.Out);
    return;
}
// Layer-wise recovery on Debian's Fashion-MNIST (1,000 calibration images, 10,000 test images), at target ratios:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --layerwise samples/models/vgg-fashion.onnx 20 40 [policy=tt] [allocation=total] [rows=N]
if (args.Length >= 3 && args[0] == "--layerwise")
{
    LayerwiseAccuracy.Report(args[1], args[2..], Console.Out);
    return;
}
// Every rank pair a two-layer model (LeNet) could get at a ratio, re-fitted and scored, beside what each rank does alone:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --allocation-grid samples/models/lenet5-fashion.onnx 5 10
if (args.Length >= 3 && args[0] == "--allocation-grid")
{
    AllocationGrid.Report(args[1], args[2..], Console.Out);
    return;
}
// The accuracy-vs-ratio frontier (Hybrid, TT, HT; layer-wise 5x-80x, distilled at 20x and 40x) as a PNG and a CSV beside it:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --frontier samples/models/vgg-fashion.onnx samples/frontier-vgg.png
if (args.Length == 3 && args[0] == "--frontier")
{
    Frontier.Run(args[1], args[2], Console.Out);
    return;
}
// Fuzzing of the reader, finder and compressor with N mutated models of each sample (exit code 1 on findings):
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --fuzz 3000
if (args.Length == 2 && args[0] == "--fuzz" && int.TryParse(args[1], out var fuzzCases) && fuzzCases > 0)
{
    Environment.ExitCode = FuzzRun.Report(fuzzCases, Console.Out) == 0 ? 0 : 1;
    return;
}
// Distillation training step against a dense training step, on TorchSharp:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --train-step samples/models/vgg-fashion.onnx
if (args.Length == 2 && args[0] == "--train-step")
{
    TrainingStepTime.Report(args[1], Console.Out);
    return;
}
// Fine-tuning acceptance: CompressHybrid at a target ratio, layer-wise re-fit, then distillation on Debian's Fashion-MNIST;
// with variants, one layer-wise fit and then each variant's distillation (see DistillationVariant), e.g. 'old new':
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --distill samples/models/vgg-fashion.onnx 20 1 out.onnx [variant ...]
if (args.Length >= 5 && args[0] == "--distill")
{
    var invariant = System.Globalization.CultureInfo.InvariantCulture;
    DistillationAccuracy.Report(args[1], double.Parse(args[2], invariant), double.Parse(args[3], invariant), args[4], args[5..], Console.Out);
    return;
}
// Original against its compressions for each objective (size, latency, balanced) at a ratio: latency at batch 1 and 64 in one
// process, session memory from separate processes, accuracy; data-free, or re-fitted layer-wise on calibration images:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --objectives samples/models/vgg-fashion.onnx 20 [calibration=samples/data/fashion-train-2000-images.idx3-ubyte] [rows=N]
if (args.Length >= 3 && args[0] == "--objectives")
{
    ObjectiveComparison.Report(args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[3..], Console.Out);
    return;
}
// Session memory of models (peak RSS of a child process scoring each, minus that of one scoring a one-node model), ratios to the first:
//                   dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --memory original.onnx compressed.onnx …
if (args.Length >= 2 && args[0] == "--memory")
{
    SessionMemory.Report(args[1..], batch: 1, Console.Out);
    return;
}
// The child process of --memory: scores the model once and prints the process's peak RSS (kB).
if (args.Length == 3 && args[0] == "--score-once")
{
    SessionMemory.ScoreOnce(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), Console.Out);
    return;
}
if (args.Length == 1 && args[0] == "--layer-latency")
{
    LayerLatency.Report(Console.Out);
    return;
}
if (args.Length == 2 && args[0] == "--peak")
{
    var work = DecompositionCases.Prepare(args[1]);
    var clock = Stopwatch.StartNew();
    double error = work();
    clock.Stop();
    using var self = Process.GetCurrentProcess();
    Console.WriteLine($"{args[1]}: {clock.Elapsed.TotalSeconds:F2} s, relative error {error:F4}, peak working set {self.PeakWorkingSet64 / (1024.0 * 1024 * 1024):F2} GiB");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(DecompositionCases).Assembly).Run(args);

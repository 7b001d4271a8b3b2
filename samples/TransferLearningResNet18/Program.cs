using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression;
using TransferLearningResNet18;
// Transfer learning with ML.NET's pretrained ResNet-18 featurizer (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18),
// the featurizer compressed by mlContext.Transforms.CompressHybrid on the user's own images: downstream accuracy,
// feature similarity, size, latency, memory and fit time against the original featurizer, as a Markdown table.
// Usage: [--calibration N] [--train N] [--test N] [--target-ratio X] [--objective size|latency|balanced]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["--score-once", var scored])
{
    SessionCost.ScoreOnce(scored);
    return 0;
}

int calibrationRows = 500, trainRows = 1000, testRows = 1000;
double targetRatio = 4;
var objective = CompressionObjective.Size;
for (int i = 0; i < args.Length; i += 2)
{
    string? value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--calibration" when int.TryParse(value, out int n) && n >= 10 && n <= 2000: calibrationRows = n; break;
        case "--train" when int.TryParse(value, out int n) && n >= 10 && n <= 2000: trainRows = n; break;
        case "--test" when int.TryParse(value, out int n) && n >= 10 && n <= 2000: testRows = n; break;
        case "--target-ratio" when double.TryParse(value, out double x) && x > 1: targetRatio = x; break;
        case "--objective" when Enum.TryParse(value, ignoreCase: true, out CompressionObjective o) && Enum.IsDefined(o): objective = o; break;
        default:
            Console.Error.WriteLine($"bad argument '{args[i]}'. usage: TransferLearningResNet18 [--calibration N] [--train N] [--test N] (10–2,000 images each) [--target-ratio X] (> 1) [--objective size|latency|balanced]");
            return 2;
    }
}

var clock = Stopwatch.StartNew();
var mlContext = new MLContext(seed: 0);
string data = Path.Combine(RepositoryRoot(), "samples", "data");
var featurizer = Featurizer.Find();
// The user's images: the training photos serve the downstream classifier, and the first of them calibrate the
// compression; the test photos are never seen by either.
var trainPhotos = FashionPhotos.Read(data, "fashion-train-2000", Math.Max(trainRows, calibrationRows));
var testPhotos = FashionPhotos.Read(data, "fashion-test-2000", testRows);
var preparation = featurizer.ImagePreparation(mlContext).Fit(mlContext.Data.LoadFromEnumerable(trainPhotos[..1]));

// Compress first, so the process's peak memory at the end of the fit is the fit's.
var options = new HybridCompressionOptions
{
    TargetCompressionRatio = targetRatio,
    Objective = objective,
    // The featurizer takes one image per run (a CNTK export with a fixed batch of 1), so one image is the batch to time.
    LatencyBatchSizes = [1],
    CalibrationRows = calibrationRows,
    // Fewer steps than the defaults: ResNet's 512-channel layers are 40 times the size of the Fashion-MNIST nets', and
    // the alternating sweep does most of the fitting.
    Refit = new RefitOptions { ConjugateGradientSteps = 8, Steps = 100 },
    // Each line with the process's resident memory now and at its peak: where a fit's time and memory go.
    Progress = line => Console.Error.WriteLine(
        $"[{clock.Elapsed.TotalSeconds,5:0} s, {SessionCost.ResidentBytes() / 1e9:0.00} GB resident (peak {SessionCost.PeakResidentBytes() / 1e9:0.00})] {line}"),
};
var calibration = preparation.Transform(mlContext.Data.LoadFromEnumerable(trainPhotos[..calibrationRows]));
var fitClock = Stopwatch.StartNew();
using var compressed = mlContext.Transforms.CompressHybrid(featurizer.OutputName, featurizer.InputName, featurizer.ModelPath, options).Fit(calibration);
var fitTime = fitClock.Elapsed;
long fitPeak = SessionCost.PeakResidentBytes();
string compressedPath = Path.Combine(AppContext.BaseDirectory, "ResNet18-compressed.onnx");
compressed.SaveCompressedModel(compressedPath);
Console.Error.WriteLine(compressed.Report.ToMarkdown());

options.CalibrationRows = 0;
using var dataFree = mlContext.Transforms.CompressHybrid(featurizer.OutputName, featurizer.InputName, featurizer.ModelPath, options).Fit(calibration);

var originalScoring = mlContext.Transforms.ApplyOnnxModel(featurizer.OutputName, featurizer.InputName, featurizer.ModelPath).Fit(calibration);
FeatureSet Features(ITransformer scoring, Photo[] photos) =>
    FeatureSet.Extract(mlContext, preparation.Append(scoring), featurizer.OutputName, photos);
Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0} s] featurizing {trainPhotos.Length:N0} training and {testPhotos.Length:N0} test photos with each featurizer");
var original = (Train: Features(originalScoring, trainPhotos), Test: Features(originalScoring, testPhotos));
double originalAccuracy = DownstreamClassifier.Accuracy(mlContext, original.Train.Take(trainRows), original.Test);

float[] image = calibration.GetColumn<float[]>(featurizer.InputName).First();
long originalMemory = SessionCost.SessionMemory(featurizer.ModelPath, featurizer.PreprocessPath);
var rows = new List<string>();
double originalMilliseconds = 0;
foreach (var (name, model, fit) in new[] { ("data-free", dataFree, (TimeSpan?)null), ($"re-fitted on {calibrationRows:N0} photos", compressed, fitTime) })
{
    string path = model == compressed ? compressedPath : Path.Combine(AppContext.BaseDirectory, "ResNet18-data-free.onnx");
    if (model != compressed) model.SaveCompressedModel(path);
    var train = Features(model, trainPhotos);
    var test = Features(model, testPhotos);
    double accuracy = DownstreamClassifier.Accuracy(mlContext, train.Take(trainRows), test);
    (originalMilliseconds, double milliseconds) = SessionCost.Latency(featurizer.ModelPath, path, featurizer.InputName, image);
    long memory = SessionCost.SessionMemory(path, featurizer.PreprocessPath);
    string otherTraining = trainPhotos.Length > calibrationRows ? $"{train.Skip(calibrationRows).MeanCosine(original.Train.Skip(calibrationRows)):0.000}" : "—";
    rows.Add($"| {name}, {model.Report.CompressionRatio:0.0}x | {accuracy:0.0000} | {train.Take(calibrationRows).MeanCosine(original.Train.Take(calibrationRows)):0.000} / {otherTraining} / {test.MeanCosine(original.Test):0.000} " +
        $"| {model.Report.ModelParametersAfter:N0} | {new FileInfo(path).Length:N0} | {milliseconds:0.0} ms ({milliseconds / originalMilliseconds:0.00}x) | {memory / 1e6:0} MB ({(double)memory / originalMemory:0.00}x) " +
        $"| {(fit is { } t ? $"{t.TotalSeconds:0} s, peak {fitPeak / 1e9:0.0} GB" : "—")} |");
}

string[] table =
[
    "| featurizer | downstream accuracy | feature cosine: calibration / other training / test photos | parameters | file bytes | latency, batch 1 | session memory | fit |",
    "|---|---|---|---|---|---|---|---|",
    $"| original ResNet-18 | {originalAccuracy:0.0000} | 1 / 1 / 1 | {compressed.Report.ModelParametersBefore:N0} | {new FileInfo(featurizer.ModelPath).Length:N0} | {originalMilliseconds:0.0} ms | {originalMemory / 1e6:0} MB | — |",
    .. rows,
];
foreach (string line in table) Console.WriteLine(line);
Console.WriteLine();
Console.WriteLine($"Measured by `samples/TransferLearningResNet18` on {Environment.ProcessorCount} cores in {clock.Elapsed.TotalMinutes:0.0} min: " +
    $"downstream = L-BFGS maximum entropy on the features of the first {trainRows:N0} photos of fashion-train-2000, accuracy on the first {testRows:N0} of fashion-test-2000 " +
    $"(28×28 grey, resized to 224×224 by the pipeline); calibration = the first {calibrationRows:N0} training photos; target ratio {targetRatio}x (featurizer parameters), objective {objective}; " +
    "latency = median of 30 alternating ONNX Runtime runs of one image; session memory = peak RSS of a process scoring the model minus that of the same process scoring ResNetPreprocess.onnx; " +
    "fit = CompressHybrid's Fit, with the process's peak RSS at its end.");
return 0;

// The build output lives under samples/TransferLearningResNet18/bin/..., so walking up from it (or from the current
// directory, for a build put elsewhere with -o) reaches the solution.
static string RepositoryRoot()
{
    foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "MLNet.TensorCompression.sln")))
                return directory.FullName;
    throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} or the current directory holds MLNet.TensorCompression.sln; run the sample inside the repository.");
}

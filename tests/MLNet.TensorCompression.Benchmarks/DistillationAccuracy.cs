using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.TorchSharp;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The fine-tuning acceptance run: a sample model compressed with CompressHybrid at a whole-model target ratio,
/// re-fitted layer-wise on 1,000 rows and distilled for one epoch over Debian's 60,000 Fashion-MNIST training images,
/// scored on the 10,000 test images (and the committed 2,000-image subset) against the original. The model is saved
/// so that a process without TorchSharp (mlnet-compress evaluate) can score it.
/// <para>
/// With variants (e.g. <c>old new new,trainable=compressed</c>), the layer-wise Fit runs once and each variant's
/// fine-tuning runs on its result, on the same rows and seed as the estimator would give it, so settings compare
/// without repeating the layer-wise re-fit.
/// </para>
/// </summary>
public static class DistillationAccuracy
{
    private const string Debian = "/usr/share/datasets/fashion-mnist";

    private sealed class Row
    {
        [ColumnName("input")]
        [VectorType(1, 1, 28, 28)]
        public float[] Input { get; set; } = [];

        public float Label { get; set; }
    }

    public static void Report(string modelPath, double targetRatio, double epochs, string savePath, IReadOnlyList<string> variants, TextWriter output)
    {
        var train = Read("train");
        var test = Read("t10k");
        var original = OnnxModel.Load(modelPath);
        output.WriteLine($"{Path.GetFileName(modelPath)}: original accuracy {ClassifierAccuracy.Measure(original, test.Samples, test.Labels):F4} on Debian's {test.Samples.Count:N0} test images");

        var mlContext = new MLContext(seed: 0);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, train.Samples.Count).Select(i => new Row
        {
            Input = train.Samples.Data.AsSpan(i * 784, 784).ToArray(),
            Label = train.Labels[i],
        }));
        var options = new HybridCompressionOptions
        {
            TargetCompressionRatio = targetRatio,
            LabelColumnName = "Label",
            Progress = line => output.WriteLine($"    {line}"),
        };
        var clock = Stopwatch.StartNew();
        using (var layerWise = mlContext.Transforms.CompressHybrid(modelPath, options).Fit(data))
        {
            output.WriteLine($"  layer-wise only: {layerWise.Report.CompressionRatio:F1}x, accuracy {ClassifierAccuracy.Measure(layerWise.GetCompressedModel(), test.Samples, test.Labels):F4} ({clock.Elapsed.TotalSeconds:F0} s)");
            if (variants.Count > 0)
            {
                for (int i = 0; i < variants.Count; i++)
                {
                    var settings = DistillationVariant.Parse(variants[i], epochs);
                    clock.Restart();
                    var outcome = settings.Run(new FineTuningRequest(original, layerWise.GetCompressedModel(), train.Samples, train.Labels, options.Seed, options.Progress));
                    var time = clock.Elapsed;
                    string path = variants.Count == 1 ? savePath : Path.ChangeExtension(savePath, $"{i}{Path.GetExtension(savePath)}");
                    outcome.Model.Save(path);
                    output.WriteLine($"  variant '{variants[i]}': accuracy {ClassifierAccuracy.Measure(OnnxModel.Load(path), test.Samples, test.Labels):F4} on the test set; fine-tuning took {time.TotalSeconds:F0} s; saved to {path}");
                    output.WriteLine($"  fine-tuning: {outcome.Summary}");
                }
                return;
            }
        }

        options.FineTuning = new DistillationFineTuning { Epochs = epochs };
        clock.Restart();
        using var tuned = mlContext.Transforms.CompressHybrid(modelPath, options).Fit(data);
        var fitTime = clock.Elapsed;
        tuned.SaveCompressedModel(savePath);
        var saved = OnnxModel.Load(savePath);
        output.WriteLine($"  layer-wise + distillation: {tuned.Report.CompressionRatio:F1}x ({tuned.Report.ModelParametersBefore:N0} → {tuned.Report.ModelParametersAfter:N0} parameters), " +
            $"accuracy {ClassifierAccuracy.Measure(saved, test.Samples, test.Labels):F4} on the test set; Fit took {fitTime.TotalSeconds:F0} s; saved to {savePath}");
        output.WriteLine($"  fine-tuning: {tuned.Report.FineTuning}");
    }

    private static (CalibrationSet Samples, int[] Labels) Read(string split)
    {
        var (pixels, count, rows, columns) = IdxFile.ReadImages(Path.Combine(Debian, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxFile.ReadLabels(Path.Combine(Debian, $"{split}-labels-idx1-ubyte.gz"));
        return (new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }
}

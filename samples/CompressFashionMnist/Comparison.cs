using System.Diagnostics;
using Microsoft.ML;
using MLNet.TensorCompression;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.TorchSharp;

namespace CompressFashionMnist;

/// <summary>Compresses the model with the ML.NET estimator in one configuration after another and measures each result.</summary>
internal sealed class Comparison(MLContext mlContext, string modelPath, IDataView calibration, IDataView test, Latency latency)
{
    /// <summary>The uncompressed model, scored by ML.NET's own ONNX transformer.</summary>
    public ResultRow MeasureOriginal()
    {
        using var scorer = mlContext.Transforms.ApplyOnnxModel("logits", "input", modelPath).Fit(test);
        return new ResultRow(
            $"{Path.GetFileNameWithoutExtension(modelPath)} (original)", "—", Evaluation.Evaluate(mlContext, scorer, test),
            OnnxModel.Load(modelPath).ParameterCount, new FileInfo(modelPath).Length, CompressionRatio: 1, LatencyRatio: 1, FitTime: null);
    }

    /// <summary>Fits <c>CompressHybrid</c> (data-free when <paramref name="calibrationRows"/> is 0) and measures the compressed model.</summary>
    public ResultRow MeasureCompressed(CompressionPolicy policy, double targetRatio, int calibrationRows) =>
        Measure(policy, targetRatio, calibrationRows, calibration, fineTuning: null,
            calibrationRows == 0 ? "none (data-free)" : $"{calibrationRows:N0} rows");

    /// <summary>
    /// Fits <c>CompressHybrid</c> on <paramref name="training"/>: re-fits layer by layer on its first
    /// <paramref name="calibrationRows"/> rows, then distils from the original for <paramref name="epochs"/> passes over all of them.
    /// </summary>
    public ResultRow MeasureFineTuned(CompressionPolicy policy, double targetRatio, int calibrationRows, IDataView training, long trainingRows, double epochs) =>
        Measure(policy, targetRatio, calibrationRows, training, new DistillationFineTuning { Epochs = epochs },
            $"{calibrationRows:N0} rows + distillation, {epochs:0.#} epoch{(epochs == 1 ? "" : "s")} of {trainingRows:N0} rows (5 % held back)");

    private ResultRow Measure(CompressionPolicy policy, double targetRatio, int calibrationRows, IDataView data, FineTuning? fineTuning, string calibrationDescription)
    {
        var options = new HybridCompressionOptions
        {
            Policy = policy,
            TargetCompressionRatio = targetRatio,
            CalibrationRows = calibrationRows,
            FineTuning = fineTuning,
            // Labels add a cross-entropy term to the distillation loss; calibration itself does not read them.
            LabelColumnName = fineTuning is null ? null : nameof(FashionImage.Label),
            Progress = line => Console.Error.WriteLine($"  {line}"),
        };
        var clock = Stopwatch.StartNew();
        using var transformer = mlContext.Transforms.CompressHybrid(modelPath, options).Fit(data);
        var fitTime = clock.Elapsed;

        var compressedModel = transformer.GetCompressedModel().ToBytes();
        Console.Error.WriteLine("  evaluating and timing the compressed model");
        return new ResultRow(
            $"{PolicyName(policy)}, target {targetRatio:0}x", calibrationDescription,
            Evaluation.Evaluate(mlContext, transformer, test), transformer.Report.ModelParametersAfter, compressedModel.Length,
            transformer.Report.CompressionRatio, latency.RatioToOriginal(compressedModel), fitTime);
    }

    private static string PolicyName(CompressionPolicy policy) => policy switch
    {
        CompressionPolicy.TensorTrain => "TT",
        CompressionPolicy.HierarchicalTucker => "HT",
        _ => policy.ToString(),
    };
}

using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>Accuracy of a sample model and of its data-free compressions on the committed 2,000-image test subset.</summary>
public static class SubsetAccuracy
{
    /// <summary>Prints accuracy, parameters and ratio for the original and a few rank caps and target ratios.</summary>
    public static void Report(string modelPath, TextWriter output)
    {
        string data = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "..", "data");
        var (pixels, count, rows, columns) = IdxFile.ReadImages(Path.Combine(data, "fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(Path.Combine(data, "fashion-test-2000-labels.idx1-ubyte"));
        var original = OnnxModel.Load(modelPath);
        output.WriteLine($"{Path.GetFileName(modelPath)}: accuracy on the 2,000-image test subset, data-free compression");
        output.WriteLine($"  {"original",-22} accuracy {Accuracy(original, pixels, [count, 1, rows, columns], labels):F4}");
        var variants = new (string Name, CompressionOptions Options)[]
        {
            ("max rank 64", new() { MaxRank = 64 }),
            ("max rank 32", new() { MaxRank = 32 }),
            ("max rank 16", new() { MaxRank = 16 }),
            ("tolerance 0.3", new() { Tolerance = 0.3 }),
            ("target 5x", new() { TargetCompressionRatio = 5 }),
            ("target 10x", new() { TargetCompressionRatio = 10 }),
        };
        foreach (var (name, options) in variants)
        {
            var result = OnnxModelCompressor.Compress(original, options);
            double accuracy = Accuracy(result.Model, pixels, [count, 1, rows, columns], labels);
            output.WriteLine($"  {name,-22} accuracy {accuracy:F4}  parameters {result.Report.ModelParametersAfter,9:N0}  ratio {result.Report.CompressionRatio,6:F1}x");
        }
    }

    /// <summary>
    /// Data-free against data-aware (layer-wise re-fit on 1,000 training-subset images) at whole-model target ratios:
    /// accuracy on the test subset, and the time the re-fit took.
    /// </summary>
    public static void ReportDataAware(string modelPath, IReadOnlyList<string> settings, TextWriter output)
    {
        string data = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "..", "data");
        var (pixels, count, rows, columns) = IdxFile.ReadImages(Path.Combine(data, "fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(Path.Combine(data, "fashion-test-2000-labels.idx1-ubyte"));
        var train = IdxFile.ReadImages(Path.Combine(data, "fashion-train-2000-images.idx3-ubyte"));
        var calibration = new CalibrationSet("input", [1, train.Rows, train.Columns], train.Pixels[..(1000 * train.Rows * train.Columns)]);
        var original = OnnxModel.Load(modelPath);
        long[] shape = [count, 1, rows, columns];
        output.WriteLine($"{Path.GetFileName(modelPath)}: original accuracy {Accuracy(original, pixels, shape, labels):F4} on the 2,000-image test subset");
        foreach (string setting in settings)
        {
            // "10" is a whole-model target ratio, "r32" a rank cap.
            var options = setting.StartsWith('r')
                ? new CompressionOptions { MaxRank = int.Parse(setting[1..], System.Globalization.CultureInfo.InvariantCulture) }
                : new CompressionOptions { TargetCompressionRatio = double.Parse(setting, System.Globalization.CultureInfo.InvariantCulture) };
            var free = OnnxModelCompressor.Compress(original, options);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var aware = OnnxModelCompressor.Compress(original, options, calibration, progress: line => output.WriteLine($"    {line}"));
            clock.Stop();
            output.WriteLine($"  {setting} (achieved {free.Report.CompressionRatio:F1}x): data-free {Accuracy(free.Model, pixels, shape, labels):F4}, data-aware {Accuracy(aware.Model, pixels, shape, labels):F4} (re-fit {clock.Elapsed.TotalSeconds:F0} s)");
        }
    }

    private static double Accuracy(OnnxModel model, float[] pixels, long[] shape, int[] labels) =>
        ClassifierAccuracy.Measure(model, new CalibrationSet("input", shape[1..], pixels), labels);
}

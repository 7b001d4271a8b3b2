using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;
using MLNet.TensorCompression.Tests.Samples;

namespace MLNet.TensorCompression.Tests.Compression;

[TestClass]
public sealed class CancellationTests
{
    [TestMethod]
    public void CancellingDuringCompressionLeavesNoFile()
    {
        using var directory = new TemporaryDirectory();
        var output = directory.File("small.onnx");
        using var cancellation = new CancellationTokenSource();
        int steps = 0;
        // Cancel at the first progress line: the planner is between decompositions.
        void CancelOnFirstStep(string _) { steps++; cancellation.Cancel(); }

        Assert.ThrowsExactly<OperationCanceledException>(() =>
            OnnxModelCompressor.Compress(TestModels.Path("vgg-fashion.onnx"), output, new CompressionOptions { TargetCompressionRatio = 10 }, CancelOnFirstStep, cancellation.Token));

        Assert.AreEqual(1, steps, "stopped at the next check, not after the whole ladder");
        Assert.IsEmpty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!), "no output and no temporary file");
    }

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public void CancellingDuringReFittingStopsBetweenSteps()
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-train-2000-images.idx3-ubyte"));
        var samples = new CalibrationSet("input", [1, rows, columns], pixels[..(100 * rows * columns)]);
        var model = OnnxModel.Load(TestModels.Path("vgg-fashion.onnx"));
        var options = new CompressionOptions { MaxRank = 16 };
        int compressed = OnnxModelCompressor.Compress(model, options).Report.Layers.Count(l => l.Format != "dense");
        using var cancellation = new CancellationTokenSource();
        var lines = new List<string>();
        void Progress(string line)
        {
            lines.Add(line);
            // The last decomposition is done: the cancel lands while the first layer is being re-fitted.
            if (lines.Count(l => l.StartsWith("decomposing", StringComparison.Ordinal)) == compressed) cancellation.CancelAfter(100);
        }

        // 100,000 steps per layer would take hours: only a check between steps can end this.
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            OnnxModelCompressor.Compress(model, options, samples, new RefitOptions { Steps = 100_000 }, Progress, cancellation.Token));
        Assert.IsFalse(lines.Any(l => l.StartsWith("re-fitted", StringComparison.Ordinal)), "no layer finished re-fitting: " + string.Join(" | ", lines));
    }
}

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
    public void CancellingDuringReFittingStopsBetweenSteps()
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-train-2000-images.idx3-ubyte"));
        var samples = new CalibrationSet("input", [1, rows, columns], pixels[..(100 * rows * columns)]);
        using var cancellation = new CancellationTokenSource();
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(300));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsExactly<OperationCanceledException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path("vgg-fashion.onnx")),
            new CompressionOptions { MaxRank = 16 }, samples, new RefitOptions { Steps = 100_000 }, progress: null, cancellation.Token));
        Assert.IsLessThan(30.0, clock.Elapsed.TotalSeconds, "100,000 steps would take far longer: it stopped soon after the cancel");
    }
}

using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// Symbolic spatial sizes ([N,C,H,W], as detectors and text recognisers declare): layers are found, fitted on the
/// calibration samples' actual activation shapes, and the compressed model takes any size the original takes.
/// </summary>
[TestClass]
public sealed class DynamicSpatialTests
{
    [TestMethod]
    public void SymbolicHeightAndWidthCompressFitAndScoreAtAnySize()
    {
        var original = ExportModels.DynamicSpatial();
        var full = OnnxModelCompressor.Compress(original, ExportModels.FullRank());
        Assert.AreEqual(2, full.Report.Layers.Count(l => l.Format != "dense"), string.Join("; ", full.Report.Layers.Select(l => $"{l.Name}: {l.Note}")));
        foreach (var (height, width) in new[] { (6, 6), (9, 5) })
        {
            var input = TestInput(2, height, width);
            long[] shape = [2, ExportModels.Channels, height, width];
            Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(OrtScoring.Run(original.ToBytes(), input, shape), OrtScoring.Run(full.Model.ToBytes(), input, shape)), $"{height}×{width}");
        }

        var options = ExportModels.FullRank();
        options.MaxRank = 1;
        // Calibration samples of 7×5, a size the model never declared: fitting reads the shapes from the activations.
        var calibration = new CalibrationSet("x", [ExportModels.Channels, 7, 5], TestInput(6, 7, 5));
        var fitted = OnnxModelCompressor.Compress(original, options, calibration, new RefitOptions { Steps = 20, AllocationSamples = 6 });
        var dataFree = OnnxModelCompressor.Compress(original, options);
        long[] calibrationShape = [6, ExportModels.Channels, 7, 5];
        var target = OrtScoring.Run(original.ToBytes(), calibration.Data, calibrationShape);
        double fittedError = OnnxModelCompressorTests.RelativeDistance(target, OrtScoring.Run(fitted.Model.ToBytes(), calibration.Data, calibrationShape));
        double freeError = OnnxModelCompressorTests.RelativeDistance(target, OrtScoring.Run(dataFree.Model.ToBytes(), calibration.Data, calibrationShape));
        Assert.IsLessThan(freeError, fittedError, "the re-fit on 7×5 samples brings the output closer on them");
    }

    private static float[] TestInput(int rows, int height, int width) => Finding.TestGraph.Values(rows * ExportModels.Channels * height * width, seed: 40 + height);
}

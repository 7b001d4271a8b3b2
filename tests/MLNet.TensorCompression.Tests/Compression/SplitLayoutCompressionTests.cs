using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Compression;

/// <summary>
/// Whole models compressed in the <see cref="TensorLayout.Split"/> layout: within ε under a tolerance, run split by Auto.
/// (Exact at full rank at every opset: <see cref="Exports.OldOpsetTests"/>.)
/// </summary>
[TestClass]
public sealed class SplitLayoutCompressionTests
{
    private const string LeNet = "lenet5-fashion.onnx";

    [TestMethod]
    [DataRow(0.4)]
    [DataRow(0.7)]
    public void ToleranceBoundHoldsInTheSplitLayoutAndAutoRunsItSplit(double tolerance)
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var result = OnnxModelCompressor.Compress(original, new CompressionOptions { Tolerance = tolerance, MinimumLayerParameters = 1000, Layout = TensorLayout.Split });
        Assert.IsGreaterThanOrEqualTo(2, result.Factorizations.Count);
        foreach (var factorization in result.Factorizations)
        {
            // ‖W − Ŵ‖_F ≤ ε‖W‖_F, measured on the weight as stored.
            var weight = factorization.Layer.Weight.Data;
            var rebuilt = factorization.ReconstructWeight();
            double difference = weight.Zip(rebuilt, (a, b) => (double)(a - b) * (a - b)).Sum(), norm = weight.Sum(a => (double)a * a);
            Assert.IsLessThanOrEqualTo(tolerance * (1 + 1e-6), Math.Sqrt(difference / norm), factorization.Layer.Name);
            Assert.AreEqual(TensorLayout.Split, factorization.Tensorization.Layout);
        }
        // Every truncated split layer needs fewer multiply-adds than its dense weight here, so Auto runs them split.
        var layers = result.Report.Layers.Where(l => l.Format != "dense").ToArray();
        Assert.IsTrue(layers.All(l => l.ExecutionMode == "Split" && l.MacsAfter < l.MacsBefore), string.Join("; ", layers.Select(l => $"{l.Name} {l.ExecutionMode} {l.MacsBefore}->{l.MacsAfter}")));

        var input = OnnxModelCompressorTests.SampleInput(4);
        var expected = OrtScoring.Run(OnnxModelCompressorTests.WithReconstructedWeights(original, result).ToBytes(), input, [4, 1, 28, 28]);
        Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(expected, OrtScoring.Run(result.Model.ToBytes(), input, [4, 1, 28, 28])));
    }
}

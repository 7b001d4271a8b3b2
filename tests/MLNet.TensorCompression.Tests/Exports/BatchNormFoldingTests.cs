using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// Conv followed by an inference BatchNormalization: folded into the compressed weight when exact, left in place when
/// the Conv's output is read elsewhere too; either way the full-rank model scores like the original in ONNX Runtime.
/// </summary>
[TestClass]
public sealed class BatchNormFoldingTests
{
    [TestMethod]
    [DataRow(true, 17L)]
    [DataRow(false, 17L)]
    [DataRow(true, 8L)]
    public void AnExactPairIsFoldedIntoTheCompressedWeight(bool convBias, long opset)
    {
        var original = ExportModels.ConvBatchNormGemm(convOutputAlsoRead: false, convBias, opset);
        var lines = new List<string>();
        var result = OnnxModelCompressor.Compress(original, ExportModels.FullRank(LayerExecutionMode.Factorized), lines.Add);

        CollectionAssert.Contains(lines, "folded BatchNormalization 'bn' into Conv 'conv'");
        Assert.DoesNotContain("BatchNormalization", result.Model.Graph.Node.Select(n => n.OpType).ToArray());
        Assert.AreEqual(original.ParameterCount, result.Report.ModelParametersBefore, "the report counts the model as given");
        Assert.IsFalse(result.Model.Graph.Initializer.Any(t => t.Name.StartsWith("bn.", StringComparison.Ordinal)), "BN's parameters went with it");
        Assert.IsTrue(result.Report.Layers.Single(l => l.Name == "conv").Format != "dense");
        AssertScoresLikeTheOriginal(original, result);
    }

    [TestMethod]
    public void APairWhoseConvOutputIsReadElsewhereIsLeft()
    {
        var original = ExportModels.ConvBatchNormGemm(convOutputAlsoRead: true);
        var lines = new List<string>();
        var result = OnnxModelCompressor.Compress(original, ExportModels.FullRank(LayerExecutionMode.Factorized), lines.Add);

        Assert.IsFalse(lines.Any(l => l.StartsWith("folded", StringComparison.Ordinal)));
        Assert.AreEqual(1, result.Model.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
        Assert.IsTrue(result.Report.Layers.Single(l => l.Name == "conv").Format != "dense");
        AssertScoresLikeTheOriginal(original, result);
    }

    private static void AssertScoresLikeTheOriginal(global::MLNet.TensorCompression.Onnx.OnnxModel original, CompressionResult result)
    {
        var input = ExportModels.Input(3);
        Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(
            OrtScoring.Run(original.ToBytes(), input, ExportModels.InputShape(3)), OrtScoring.Run(result.Model.ToBytes(), input, ExportModels.InputShape(3))));
    }
}

using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// Weights held in Constant nodes, directly or through Identity (paddle2onnx exports have no initializers): they count
/// as parameters in the model, the report and the target-ratio budget, and the replaced ones leave the graph.
/// </summary>
[TestClass]
public sealed class ConstantWeightTests
{
    private const long Parameters = ExportModels.Filters * ExportModels.Channels * 9 + ExportModels.Filters
        + ExportModels.Classes * ExportModels.Filters * ExportModels.Size * ExportModels.Size + ExportModels.Classes;

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ConstantNodeWeightsCountAndTheReplacedOnesAreRemoved(bool throughIdentity)
    {
        var original = ExportModels.WeightsInConstantNodes(ExportModels.ConvGemm(), throughIdentity);
        Assert.IsEmpty(original.Graph.Initializer);
        Assert.AreEqual(Parameters, original.ParameterCount);

        var result = OnnxModelCompressor.Compress(original, ExportModels.FullRank());
        Assert.AreEqual(Parameters, result.Report.ModelParametersBefore);
        Assert.AreEqual(result.Model.ParameterCount, result.Report.ModelParametersAfter);
        Assert.IsLessThan(Parameters / 5, result.Report.ModelParametersAfter, "both weights were replaced by small factors");
        var producers = result.Model.Graph.Node.SelectMany(n => n.Output).ToHashSet();
        foreach (var replaced in new[] { "conv.weight", "conv.weight_constant", "fc.weight", "fc.weight_constant", "fc.bias", "conv.bias" })
            Assert.DoesNotContain(replaced, producers, $"nothing produces the replaced '{replaced}' any more");
        Assert.DoesNotContain("Identity", result.Model.Graph.Node.Select(n => n.OpType).ToArray());

        var input = ExportModels.Input(2);
        Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(
            OrtScoring.Run(original.ToBytes(), input, ExportModels.InputShape(2)), OrtScoring.Run(result.Model.ToBytes(), input, ExportModels.InputShape(2))));
    }

    [TestMethod]
    public void ATargetRatioCountsConstantNodeWeights()
    {
        var original = ExportModels.WeightsInConstantNodes(ExportModels.ConvGemm(), throughIdentity: true);
        var options = ExportModels.FullRank();
        options.MaxRank = null;
        options.TargetCompressionRatio = 4;
        var result = OnnxModelCompressor.Compress(original, options);
        Assert.IsTrue(result.Report.TargetReached);
        Assert.IsGreaterThanOrEqualTo(4.0, result.Report.CompressionRatio);
        Assert.IsTrue(result.Report.Layers.Any(l => l.Format != "dense"), "layers were replaced to reach the ratio");
    }
}

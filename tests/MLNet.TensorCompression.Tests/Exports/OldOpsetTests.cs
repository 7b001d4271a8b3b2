using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// Exports at every opset ONNX Runtime runs (7–21): the factorised layers' nodes are written for the model's own
/// opset (Slice-1 and tensor-valued Constant below 10 and 12), so the compressed model loads and scores like the original,
/// in every layout.
/// </summary>
[TestClass]
public sealed class OldOpsetTests
{
    [TestMethod]
    [DynamicData(nameof(ExportModels.Opsets), typeof(ExportModels))]
    public void FullRankCompressionScoresLikeTheOriginalAtTheModelsOpset(long opset)
    {
        var original = ExportModels.ConvGemm(opset);
        var input = ExportModels.Input(3);
        var expected = OrtScoring.Run(original.ToBytes(), input, ExportModels.InputShape(3));
        foreach (var (layout, mode) in from layout in Enum.GetValues<TensorLayout>()
                 from mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed, LayerExecutionMode.Auto }
                 select (layout, mode))
        {
            foreach (var inline in new[] { false, true })
            {
                var options = ExportModels.FullRank(mode);
                options.Inline = inline;
                options.Layout = layout;
                var result = OnnxModelCompressor.Compress(original, options);
                Assert.AreEqual(2, result.Report.Layers.Count(l => l.Format != "dense"), $"{layout}, {mode}, inline {inline}: both layers are compressed");
                if (layout == TensorLayout.Split)
                    Assert.IsTrue(result.Report.Layers.Where(l => l.Format != "dense").All(l => l.Modes!.Contains('|')), "split modes");
                Assert.AreEqual(opset, result.Model.Proto.OpsetImport.Single(o => o.Domain == "").Version, "the model's opset stays");
                foreach (var function in result.Model.Proto.Functions)
                    Assert.AreEqual(opset, function.OpsetImport.Single(o => o.Domain == "").Version, $"function {function.Name} imports the model's opset");

                var actual = OrtScoring.Run(result.Model.ToBytes(), input, ExportModels.InputShape(3));
                Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(expected, actual), $"opset {opset}, {layout}, {mode}, inline {inline}");
            }
        }
    }

    [TestMethod]
    public void AnOpsetOlderThanOnnxRuntimeRunsIsRefusedWithTheOpset()
    {
        var original = ExportModels.ConvGemm(6);
        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelCompressor.Compress(original, ExportModels.FullRank()));
        StringAssert.Contains(error.Message, "opset 6");
    }
}

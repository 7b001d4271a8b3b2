using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Exports;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// Compressed models at every opset ONNX Runtime runs (7–21), whose factorised layers' bodies use the ops of that
/// opset (Slice-1 and tensor-valued Constant below 10 and 12, a DOUBLE Constant cast to INT64 below 9): the torch
/// forward equals ONNX Runtime's, and every factor is a parameter that a loss reaches with a finite, non-zero gradient.
/// </summary>
[TestClass]
public sealed class OldOpsetGraphTests
{
    private const int Rows = 3;

    [TestMethod]
    [DynamicData(nameof(ExportModels.Opsets), typeof(ExportModels))]
    public void CompressedModelsRunAsInOnnxRuntimeAndTrainEveryFactor(long opset)
    {
        // One thread: on the 2-core development machine, libtorch 2.10's two-thread float32 conv backward returned wrong
        // (sometimes NaN) input gradients for few-channel convs like the split form's rank-sized ones, even with
        // contiguous weights; this test is about the op forms, not that.
        using var threads = TorchThreads.Use(1);
        var input = ExportModels.Input(Rows);
        var shape = ExportModels.InputShape(Rows);
        foreach (var layout in Enum.GetValues<TensorLayout>())
        foreach (var mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed })
        {
            var options = ExportModels.FullRank(mode);
            options.Layout = layout;
            var compressed = OnnxModelCompressor.Compress(ExportModels.ConvGemm(opset), options).Model;
            var what = $"opset {opset}, {layout}, {mode}";
            GraphAgreement.AssertAgrees(compressed, input, shape, what);

            using var graph = OnnxTorchGraph.Create(compressed, trainFactors: true);
            CollectionAssert.AreEquivalent(OnnxTorchGraph.CompressedLayerInputs(compressed.Proto).ToArray(), graph.Parameters.Keys.ToArray(), what);
            Assert.HasCount(2, compressed.Graph.Node.Where(n => n.Domain == OnnxTorchGraph.CompressedLayerDomain), $"{what}: both layers are factorised");
            using (NewDisposeScope())
            {
                graph.Forward(tensor(input, shape)).square().sum().backward();
            }

            foreach (var (name, parameter) in graph.Parameters)
                Assert.IsGreaterThan(0f, parameter.grad?.abs().max().item<float>() ?? 0f, $"{what}: gradient of {name}");
        }
    }
}

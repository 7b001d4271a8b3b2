using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>The torch forward of the sample models, original and compressed in each form, equals ONNX Runtime's on real images.</summary>
[TestClass]
public sealed class OnnxTorchGraphForwardTests
{
    private const int BatchSize = 64;

    [TestMethod]
    [DataRow("lenet5-fashion.onnx")]
    [DataRow("vgg-fashion.onnx")]
    public void OriginalModelMatchesOnnxRuntime(string modelFile)
    {
        var (pixels, shape) = FashionSubset.TestBatch(BatchSize);
        GraphAgreement.AssertAgrees(OnnxModel.Load(TestModels.Path(modelFile)), pixels, shape, modelFile);
    }

    [TestMethod]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Reconstructed, CompressionPolicy.Hybrid, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Factorized, CompressionPolicy.Hybrid, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Auto, CompressionPolicy.Hybrid, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Auto, CompressionPolicy.TensorTrain, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Factorized, CompressionPolicy.HierarchicalTucker, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Factorized, CompressionPolicy.TensorTrain, true)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Reconstructed, CompressionPolicy.HierarchicalTucker, true)]
    [DataRow("vgg-fashion.onnx", LayerExecutionMode.Factorized, CompressionPolicy.Hybrid, false)]
    [DataRow("vgg-fashion.onnx", LayerExecutionMode.Reconstructed, CompressionPolicy.Hybrid, true)]
    public void CompressedModelMatchesOnnxRuntime(string modelFile, LayerExecutionMode mode, CompressionPolicy policy, bool inline)
    {
        var options = new CompressionOptions { MaxRank = 8, ExecutionMode = mode, Policy = policy, Inline = inline };
        var model = CompressedSamples.Get(modelFile, options);
        Assert.AreNotEqual(0, model.Proto.Functions.Count + (inline ? 1 : 0), "the function form calls model-local functions");
        var (pixels, shape) = FashionSubset.TestBatch(BatchSize);
        GraphAgreement.AssertAgrees(model, pixels, shape, $"{modelFile} {mode} {policy} inline={inline}");
    }
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>With trainFactors, exactly the compressed layers' factors and biases train; the rest of the model stays frozen.</summary>
[TestClass]
public sealed class OnnxTorchGraphTrainingTests
{
    private static OnnxModel CompressedLeNet(LayerExecutionMode mode = LayerExecutionMode.Factorized) =>
        CompressedSamples.Get("lenet5-fashion.onnx", new CompressionOptions { MaxRank = 8, ExecutionMode = mode });

    [TestMethod]
    public void ParametersAreExactlyTheCompressedLayersFactorsAndBiases()
    {
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var compressed = CompressedLeNet();
        using var graph = OnnxTorchGraph.Create(compressed, trainFactors: true);

        var originalNames = original.Graph.Initializer.Select(t => t.Name).ToHashSet();
        var factors = compressed.Graph.Initializer.Where(t => !originalNames.Contains(t.Name)).Select(t => t.Name).ToArray();
        var compressedNodes = compressed.Graph.Node.Where(n => n.Domain == OnnxTorchGraph.CompressedLayerDomain).ToArray();
        Assert.IsNotEmpty(compressedNodes);
        Assert.IsNotEmpty(factors);

        // The compressor writes each compressed layer's factors and bias as new tensors: exactly those train.
        CollectionAssert.AreEquivalent(factors, graph.Parameters.Keys.ToArray());
        var compressedInputs = compressedNodes.SelectMany(n => n.Input).ToHashSet();
        foreach (var (name, parameter) in graph.Parameters)
        {
            Assert.Contains(name, compressedInputs);
            Assert.IsTrue(parameter.requires_grad, name);
            CollectionAssert.AreEqual(compressed.GetInitializer(name).Shape.Select(s => (long)s).ToArray(), parameter.shape, name);
        }

        Assert.IsTrue(compressedNodes.All(n => graph.Parameters.ContainsKey(n.Input[^1])), "each compressed layer's last input, its bias, trains");
        foreach (var (name, frozen) in graph.FrozenInitializers)
        {
            Assert.DoesNotContain(name, compressedInputs.Where(n => compressed.Graph.Initializer.Any(t => t.Name == n && t.DataType == 1)).ToArray());
            Assert.IsFalse(frozen.requires_grad, name);
        }

        using var frozenGraph = OnnxTorchGraph.Create(compressed, trainFactors: false);
        Assert.IsEmpty(frozenGraph.Parameters);
    }

    [TestMethod]
    [DataRow(LayerExecutionMode.Factorized)]
    [DataRow(LayerExecutionMode.Reconstructed)]
    public void BackwardReachesEveryFactorAndNoFrozenTensor(LayerExecutionMode mode)
    {
        using var graph = OnnxTorchGraph.Create(CompressedLeNet(mode), trainFactors: true);
        var (pixels, shape) = FashionSubset.TestBatch(16);
        var labels = FashionSubset.TestLabels(16);
        using (NewDisposeScope())
        {
            var logits = graph.Forward(tensor(pixels, shape));
            var loss = nn.functional.cross_entropy(logits, tensor(labels));
            loss.backward();
        }

        Assert.IsNotEmpty(graph.Parameters);
        foreach (var (name, parameter) in graph.Parameters)
        {
            var grad = parameter.grad;
            Assert.IsNotNull(grad, name);
            Assert.IsGreaterThan(0f, grad.abs().max().item<float>(), $"gradient of {name}");
        }

        Assert.IsNotEmpty(graph.FrozenInitializers);
        foreach (var (name, frozen) in graph.FrozenInitializers) Assert.IsNull(frozen.grad, name);
    }

    [TestMethod]
    public void CopiedParametersScoreInOnnxRuntimeAsTheyDoInTorch()
    {
        var compressed = CompressedLeNet();
        using var graph = OnnxTorchGraph.Create(compressed, trainFactors: true);
        var (pixels, shape) = FashionSubset.TestBatch(32);
        var before = OrtScoring.Run(compressed.ToBytes(), pixels, shape);

        using (no_grad())
        {
            manual_seed(7);
            foreach (var parameter in graph.Parameters.Values) parameter.add_(randn_like(parameter) * parameter.std() * 0.3);
        }

        var copy = compressed.Proto.Clone();
        graph.CopyParametersInto(copy);
        var after = OrtScoring.Run(new OnnxModel(copy).ToBytes(), pixels, shape);

        GraphAgreement.AssertClose(after, GraphAgreement.TorchForward(graph, pixels, shape), "perturbed factors, ORT vs torch");
        var moved = before.Zip(after, (b, a) => Math.Abs(b - a)).Max();
        Assert.IsGreaterThan(0.01f, moved, "the perturbation changes the ORT scores, so the copy was used");
        Assert.AreEqual(compressed.Graph.Initializer.Count, copy.Graph.Initializer.Count);
        foreach (var name in graph.Parameters.Keys)
            CollectionAssert.AreEqual(compressed.GetInitializer(name).Shape.ToArray(), new OnnxModel(copy).GetInitializer(name).Shape.ToArray(), name);
    }
}

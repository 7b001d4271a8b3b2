using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>Issue 13 item 6: the names emission generates never collide with names the model already has.</summary>
[TestClass]
public sealed class GeneratedNamesTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void AModelAlreadyUsingOurNamesGetsFreshOnesAndStillLoads(bool inline)
    {
        var options = TinyModels.SmallLayers();
        options.Inline = inline;
        // What the plain model's compression names its first layer's tensors, e.g. "tc0_fc/…".
        var generated = OnnxModelCompressor.Compress(TinyModels.Classifier(), options).Model.Graph.Initializer
            .Select(t => t.Name).First(name => name.StartsWith("tc0_fc", StringComparison.Ordinal));
        // The same model with a tensor and a node already carrying those names.
        var model = TinyModels.Classifier(g => g.Output(generated).Node("Relu", "tc0_fc", ["x"], [generated]));

        var compressed = OnnxModelCompressor.Compress(model, options).Model;

        Assert.IsTrue(compressed.Graph.Initializer.Any(t => t.Name.StartsWith("tc0_fc_1/", StringComparison.Ordinal)), "renamed prefix");
        var written = compressed.Graph.Node.SelectMany(n => n.Output).Concat(compressed.Graph.Initializer.Select(t => t.Name)).ToArray();
        CollectionAssert.AllItemsAreUnique(written, "every tensor written once");
        CollectionAssert.AllItemsAreUnique(compressed.Graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToArray(), "node names");
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(compressed.ToBytes());
        Assert.HasCount(2, session.OutputNames);
    }
}

using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Finding;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>Issue 13 item 7: a weight that is also a graph input (overridable) stays dense unless an override asks otherwise.</summary>
[TestClass]
public sealed class OverridableWeightTests
{
    /// <summary>The classifier with fc's weight listed as a graph input too (IR 8: an overridable initializer).</summary>
    private static OnnxModel WeightAsInput() => TinyModels.Classifier(g => g.Input("fc.weight", TinyModels.Features, TinyModels.Features));

    [TestMethod]
    public void ItIsKeptDenseWithTheReasonAndTheFileDoesNotGrow()
    {
        var model = WeightAsInput();

        var result = OnnxModelCompressor.Compress(model, TinyModels.SmallLayers());

        var fc = result.Report.Layers.Single(l => l.Name == "fc");
        Assert.AreEqual("dense", fc.Format);
        StringAssert.Contains(fc.Note, "'fc.weight' is also a graph input");
        Assert.IsFalse(result.Model.Graph.Initializer.Any(t => t.Name.Contains("_fc/", StringComparison.Ordinal)), "no factors beside the dense weight");
        Assert.IsTrue(result.Model.Graph.Input.Any(i => i.Name == "fc.weight"), "the input is still there to feed");
        Assert.AreNotEqual("dense", result.Report.Layers.Single(l => l.Name == "out").Format, "other layers are compressed as before");
    }

    [TestMethod]
    public void AnOverrideCompressesItAndDropsTheInputThatWouldNoLongerDoAnything()
    {
        var options = TinyModels.SmallLayers();
        options.LayerOverrides.Add(new LayerOverride("fc", LayerFormat.HierarchicalTucker));

        var result = OnnxModelCompressor.Compress(WeightAsInput(), options);

        Assert.AreEqual("HT", result.Report.Layers.Single(l => l.Name == "fc").Format);
        Assert.IsFalse(result.Model.Graph.Input.Any(i => i.Name == "fc.weight"));
        Assert.IsFalse(result.Model.Graph.Initializer.Any(t => t.Name == "fc.weight"));
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(result.Model.ToBytes());
        Assert.AreEqual("x", session.InputNames.Single());
    }

    [TestMethod]
    public void BeforeIrVersionFourEveryInitializerIsAnInputAndStaysCompressible()
    {
        var model = WeightAsInput();
        model.Proto.IrVersion = 3;
        model.Proto.OpsetImport[0].Version = 9;

        var result = OnnxModelCompressor.Compress(model, TinyModels.SmallLayers());

        Assert.AreNotEqual("dense", result.Report.Layers.Single(l => l.Name == "fc").Format);
        Assert.IsFalse(result.Model.Graph.Input.Any(i => i.Name == "fc.weight"), "the replaced weight's input goes with it");
    }

    [TestMethod]
    public void ALayerInsideAnIfBodyIsListedAsNotCompressible()
    {
        var body = new TestGraph().Initializer("w", [4, 4], TestGraph.Values(16, 7))
            .Node("MatMul", "inner_matmul", ["r", "w"], ["z"]).Build().Graph;
        var model = TinyModels.Classifier(g => g
            .TypedInput("flag", TensorProto.Types.DataType.Bool).Output("picked")
            .Node("If", "branchy", ["flag"], ["picked"], new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body }));

        var skipped = LayerFinder.Find(model).Skipped.Single();

        Assert.AreEqual("inner_matmul", skipped.Name);
        Assert.AreEqual("inside the 'then_branch' body of If node 'branchy' (only main-graph layers are compressed)", skipped.Reason);
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>Emits a layer, checks the emission's form, and scores it alone in a model.</summary>
internal static class EmittedLayers
{
    public const string Prefix = "layer0";

    private static readonly string[] ControlFlowOps = ["If", "Loop", "Scan"];

    /// <summary>The emitted layer's output for <paramref name="x"/>.</summary>
    public static (float[] Values, long[] Shape) Score(FactorizedWeight weight, LayerExecutionMode mode, bool inline, float[] x, long[] shape, long?[] inputShape, long?[] outputShape)
    {
        var emission = FactorizedLayerEmitter.Emit(weight, mode, inline, Prefix);
        CheckForm(emission, weight.Layer, inline);
        return LayerScoring.Run(LayerModels.Wrap(emission, weight.Layer, inputShape, outputShape), x, shape);
    }

    /// <summary>
    /// Inline: standard-op nodes and prefixed names only. Function: one custom-domain node calling one flat
    /// function of standard ops with the same overload, reading the layer's input and writing its output.
    /// </summary>
    public static void CheckForm(LayerEmission emission, CompressibleLayer layer, bool inline)
    {
        foreach (var initializer in emission.Initializers) StringAssert.StartsWith(initializer.Name, Prefix + "/", initializer.Name);
        if (inline)
        {
            Assert.IsEmpty(emission.Functions);
            CheckStandardOps(emission.Nodes);
            foreach (var node in emission.Nodes) StringAssert.StartsWith(node.Name, Prefix + "/", node.Name);
            Assert.AreEqual(layer.OutputName, emission.Nodes[^1].Output.Single());
            return;
        }
        var call = emission.Nodes.Single();
        var function = emission.Functions.Single();
        Assert.AreEqual(TensorCompressionDomain.Name, call.Domain);
        Assert.AreEqual(TensorCompressionDomain.Name, function.Domain);
        Assert.AreEqual(function.Name, call.OpType);
        Assert.AreEqual(function.Overload, call.Overload);
        Assert.AreEqual(layer.InputName, call.Input[0]);
        Assert.AreEqual(layer.OutputName, call.Output.Single());
        Assert.HasCount(function.Input.Count, call.Input);
        Assert.AreEqual(FactorizedLayerEmitter.DefaultStandardOpset, function.OpsetImport.Single(o => o.Domain == "").Version);
        CheckStandardOps(function.Node);
        CollectionAssert.IsSubsetOf(call.Attribute.Select(a => a.Name).ToArray(), function.Attribute.ToArray());
    }

    private static void CheckStandardOps(IEnumerable<NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            Assert.AreEqual("", node.Domain, $"node {node.Name} ({node.OpType})");
            CollectionAssert.DoesNotContain(ControlFlowOps, node.OpType);
        }
    }
}

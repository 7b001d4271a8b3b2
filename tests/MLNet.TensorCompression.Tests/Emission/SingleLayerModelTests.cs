using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Exports;
using MLNet.TensorCompression.Tests.Finding;
using MLNet.TensorCompression.Tests.Onnx;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>
/// The one-layer models the latency objective times: the dense one runs the layer as the original graph does, and every
/// layout, format and form of it at full rank scores like that in ONNX Runtime.
/// </summary>
[TestClass]
public sealed class SingleLayerModelTests
{
    private static readonly Dictionary<string, Func<OnnxModel>> Models = new()
    {
        ["conv+gemm"] = () => ExportModels.ConvGemm(),
        ["matmul+add"] = () => new TestGraph().Input("x", Batch, 24).Output("y")
            .Initializer("w", [24, 20], Values(480, seed: 31)).Initializer("b", [20], Values(20, seed: 32))
            .Node("MatMul", "fc", ["x", "w"], ["p"]).Node("Add", "fc_bias", ["p", "b"], ["y"]).Build(),
        ["matmul-left"] = () => new TestGraph().Input("x", Batch, 24, 5).Output("y")
            .Initializer("w", [20, 24], Values(480, seed: 33))
            .Node("MatMul", "fc", ["w", "x"], ["y"]).Build(),
    };

    [TestMethod]
    [DataRow("conv+gemm")]
    [DataRow("matmul+add")]
    [DataRow("matmul-left")]
    public void EveryFormOfEveryLayoutAtFullRankScoresLikeTheDenseLayer(string name)
    {
        var model = Models[name]();
        var layers = LayerFinder.Find(model).Layers;
        Assert.IsNotEmpty(layers);
        foreach (var layer in layers)
        {
            long[] shape = [3, .. layer.InputShape!.Skip(1)];
            var input = LayerScoring.Input(5, shape.Aggregate(1L, (a, b) => a * b));
            var expected = OrtScoring.Run(SingleLayerModel.Dense(layer, 17).ToBytes(), input, shape);
            Assert.IsLessThan(1e-5, OnnxModelCompressorTests.RelativeDistance(expected, OrtScoring.Run(WithOnly(model, layer).ToBytes(), input, shape)), $"{layer.Name}: the dense model is the layer");
            foreach (var layout in Enum.GetValues<TensorLayout>())
            foreach (var format in new[] { LayerFormat.TensorTrain, LayerFormat.HierarchicalTucker })
            foreach (var mode in new[] { LayerExecutionMode.Reconstructed, LayerExecutionMode.Factorized })
            {
                var weight = LayerDecomposer.Decompose(new LayerPlan(layer, format, CompressionPlanner.Tensorize(layer, layout), null, null), Truncation.ToRank(10_000));
                if (mode == LayerExecutionMode.Factorized && !FactorizedLayerEmitter.HasFactorizedForm(weight)) continue;
                var actual = OrtScoring.Run(SingleLayerModel.Factorized(weight, mode, inline: false, 17).ToBytes(), input, shape);
                Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(expected, actual), $"{layer.Name} {layout} {format} {mode}");
            }
        }
    }

    /// <summary>The model cut down to the layer: its input becomes the graph's input and its output the graph's output.</summary>
    private static OnnxModel WithOnly(OnnxModel model, CompressibleLayer layer)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var keep = layer.Nodes.Select(n => n.Name).ToHashSet();
        var nodes = graph.Node.Where(n => keep.Contains(n.Name)).ToArray();
        graph.Node.Clear();
        graph.Node.Add(nodes);
        var template = graph.Input[0].Clone();
        template.Name = layer.InputName;
        template.Type.TensorType.Shape = null;
        graph.Input.Clear();
        graph.Input.Add(template);
        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto { Name = layer.OutputName, Type = template.Type.Clone() });
        return copy;
    }
}

using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>Where weights may come from (initializers, Constant nodes, Identity chains) and which sources disqualify a layer.</summary>
[TestClass]
public sealed class WeightSourceTests
{
    private const int Inputs = 4;
    private const int Outputs = 3;
    private static readonly float[] WeightValues = Values(Inputs * Outputs, seed: 31);
    private static readonly float[] BiasValues = Values(Outputs, seed: 32);

    [TestMethod]
    public void WeightAndBiasFromConstantNodes()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Constant("w", [Outputs, Inputs], WeightValues).Constant("b", [Outputs], BiasValues)
            .Node("Gemm", "fc", ["x", "w", "b"], ["y"], Int("transB", 1))
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.AreEqual("w", layer.Weight.Name);
        CollectionAssert.AreEqual(WeightValues, layer.Weight.Data);
        CollectionAssert.AreEqual(BiasValues, layer.Bias);
        CollectionAssert.AreEqual(new[] { "w", "b" }, layer.ParameterTensorNames.ToArray());
    }

    [TestMethod]
    public void BiasFromAConstantNodesValueFloats()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("w", [Outputs, Inputs], WeightValues)
            .Node("Constant", "bias_node", [], ["b"], new AttributeProto { Name = "value_floats", Type = AttributeProto.Types.AttributeType.Floats, Floats = { BiasValues } })
            .Node("Gemm", "fc", ["x", "w", "b"], ["y"], Int("transB", 1))
            .Build();

        CollectionAssert.AreEqual(BiasValues, LayerFinder.Find(model).Layers.Single().Bias);
    }

    [TestMethod]
    public void WeightThroughIdentityChainsListsEveryName()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("fc.weight", [Outputs, Inputs], WeightValues)
            .Constant("fc.bias", [Outputs], BiasValues)
            .Node("Identity", "id1", ["fc.weight"], ["w1"])
            .Node("Identity", "id2", ["w1"], ["w2"])
            .Node("Identity", "id3", ["fc.bias"], ["b1"])
            .Node("Gemm", "fc", ["x", "w2", "b1"], ["y"], Int("transB", 1))
            .Build();

        var scan = LayerFinder.Find(model);

        var layer = scan.Layers.Single();
        Assert.AreEqual("fc.weight", layer.Weight.Name);
        CollectionAssert.AreEqual(WeightValues, layer.Weight.Data);
        CollectionAssert.AreEqual(BiasValues, layer.Bias);
        CollectionAssert.AreEqual(new[] { "w2", "w1", "fc.weight", "b1", "fc.bias" }, layer.ParameterTensorNames.ToArray());
        Assert.IsEmpty(scan.Skipped);
    }

    [TestMethod]
    public void InitializerThatIsAlsoAGraphInputCountsAsConstant()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Input("w", Outputs, Inputs).Output("y")
            .Initializer("w", [Outputs, Inputs], WeightValues)
            .Node("Gemm", "fc", ["x", "w"], ["y"], Int("transB", 1))
            .Build();

        var scan = LayerFinder.Find(model);

        CollectionAssert.AreEqual(WeightValues, scan.Layers.Single().Weight.Data);
        Assert.AreEqual(2, model.Graph.Input.Count, "the graph input stays");
    }

    [TestMethod]
    public void WeightSharedByTwoLayersIsSkippedForBoth()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y1").Output("y2")
            .Initializer("w", [Outputs, Inputs], WeightValues)
            .Node("Identity", "alias", ["w"], ["w_alias"])
            .Node("Gemm", "fc1", ["x", "w"], ["y1"], Int("transB", 1))
            .Node("Gemm", "fc2", ["x", "w_alias"], ["y2"], Int("transB", 1))
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        CollectionAssert.AreEqual(
            new[]
            {
                new SkippedLayer("fc1", "Gemm", "weight shared with node 'fc2'", 12),
                new SkippedLayer("fc2", "Gemm", "weight shared with node 'fc1'", 12),
            },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void WeightReadInsideASubgraphIsShared()
    {
        var branch = new GraphProto { Name = "branch" };
        branch.Node.Add(new NodeProto { OpType = "Identity", Name = "inner", Input = { "w" }, Output = { "w_copy" } });
        branch.Output.Add(new ValueInfoProto { Name = "w_copy", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
        var model = new TestGraph()
            .Input("x", Batch, Inputs).TypedInput("flag", DataType.Bool).Output("y").Output("picked")
            .Initializer("w", [Outputs, Inputs], WeightValues)
            .Node("Gemm", "fc", ["x", "w"], ["y"], Int("transB", 1))
            .Node("If", "choose", ["flag"], ["picked"],
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch },
                new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch })
            .Build();

        Assert.AreEqual("weight shared with node 'choose'", LayerFinder.Find(model).Skipped.Single().Reason);
    }

    [TestMethod]
    public void WeightThatIsAGraphInputIsNotAConstant()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Input("w", Outputs, Inputs).Output("y")
            .Node("Gemm", "fc", ["x", "w"], ["y"], Int("transB", 1))
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        Assert.AreEqual(new SkippedLayer("fc", "Gemm", "weight is not a constant ('w' is a graph input)", null), scan.Skipped.Single());
    }

    [TestMethod]
    public void ComputedWeightIsNotAConstant()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w_raw", [4, 3, 3, 3], Values(108, seed: 33))
            .Node("Relu", "clip", ["w_raw"], ["w"])
            .Node("Conv", "conv", ["x", "w"], ["y"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        CollectionAssert.AreEqual(
            new[]
            {
                new SkippedLayer("clip", "Relu", "Relu is not a supported layer (only Conv, Gemm and MatMul are compressed)", 108),
                new SkippedLayer("conv", "Conv", "weight is not a constant ('w' is computed by Relu node 'clip')", null),
            },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void DoubleWeightIsSkipped()
    {
        var weight = new TensorProto { Name = "w", DataType = (int)DataType.Double, Dims = { Outputs, Inputs }, DoubleData = { WeightValues.Select(v => (double)v) } };
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer(weight)
            .Node("Gemm", "fc", ["x", "w"], ["y"], Int("transB", 1))
            .Build();

        Assert.AreEqual("weight 'w' has element type DOUBLE; only FLOAT layers are compressed", LayerFinder.Find(model).Skipped.Single().Reason);
    }

    [TestMethod]
    public void NaNInAWeightThrowsNamingNodeTensorAndElement()
    {
        var weight = (float[])WeightValues.Clone();
        weight[7] = float.NaN;
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("fc1.weight", [Outputs, Inputs], weight)
            .Node("Gemm", "/fc1/Gemm", ["x", "fc1.weight"], ["y"], Int("transB", 1))
            .Build();

        var exception = Assert.ThrowsExactly<OnnxModelException>(() => LayerFinder.Find(model));

        Assert.AreEqual("The weight 'fc1.weight' of node '/fc1/Gemm' holds NaN at element 7.", exception.Message);
    }

    [TestMethod]
    public void InfinityInAFusedBiasThrowsNamingTheAdd()
    {
        var bias = (float[])BiasValues.Clone();
        bias[2] = float.NegativeInfinity;
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("z")
            .Initializer("w", [Inputs, Outputs], WeightValues).Initializer("b", [Outputs], bias)
            .Node("MatMul", "mm", ["x", "w"], ["y"])
            .Node("Add", "add", ["y", "b"], ["z"])
            .Build();

        var exception = Assert.ThrowsExactly<OnnxModelException>(() => LayerFinder.Find(model));

        Assert.AreEqual("The bias 'b' of node 'add' holds -Infinity at element 2.", exception.Message);
    }
}

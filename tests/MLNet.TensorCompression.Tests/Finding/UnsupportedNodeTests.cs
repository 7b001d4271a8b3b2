using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>Nodes that hold weights but are not compressible patterns, and nodes that are not listed at all.</summary>
[TestClass]
public sealed class UnsupportedNodeTests
{
    [TestMethod]
    public void ModelWithNothingCompressibleListsItsWeightedNodes()
    {
        var model = new TestGraph()
            .Input("x", Batch, 4, 8, 8).Output("y")
            .Initializer("up.w", [4, 2, 3, 3], Values(72, seed: 51))
            .Initializer("bn.scale", [2], [1f, 1f]).Initializer("bn.bias", [2], [0f, 0f])
            .Initializer("bn.mean", [2], [0f, 0f]).Initializer("bn.var", [2], [1f, 1f])
            .Initializer("dw.w", [2, 1, 3, 3], Values(18, seed: 52))
            .Node("ConvTranspose", "up", ["x", "up.w"], ["u"], Ints("strides", 2, 2))
            .Node("BatchNormalization", "bn", ["u", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["n"])
            .Node("Relu", "relu", ["n"], ["r"])
            .Node("Conv", "depthwise", ["r", "dw.w"], ["y"], Int("group", 2))
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        Assert.IsNull(scan.ShapeProbeFailure);
        CollectionAssert.AreEqual(
            new[]
            {
                new SkippedLayer("up", "ConvTranspose", "ConvTranspose is not a supported layer (only Conv, Gemm and MatMul are compressed)", 72),
                new SkippedLayer("depthwise", "Conv", "grouped convolution (group=2)", 18),
            },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void OperatorsOfOtherDomainsAreListedWhenTheyHoldWeights()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w", [4, 3, 3, 3], Values(108, seed: 53))
            .Node("Conv", "fused", ["x", "w"], ["y"])
            .Build();
        model.Graph.Node[0].Domain = "com.microsoft";

        var skipped = LayerFinder.Find(model).Skipped.Single();

        Assert.AreEqual(
            new SkippedLayer("fused", "Conv", "operator com.microsoft.Conv is not supported (only Conv, Gemm and MatMul are compressed, from the default ONNX domain)", 108),
            skipped);
    }

    [TestMethod]
    public void NodeWithAMissingInputIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y").Output("z")
            .Node("Conv", "broken", ["x", ""], ["y"])
            .Node("Gemm", "lonely", ["x"], ["z"])
            .Build();

        var scan = LayerFinder.Find(model);

        CollectionAssert.AreEqual(
            new[] { new SkippedLayer("broken", "Conv", "missing input W", null), new SkippedLayer("lonely", "Gemm", "missing input B", null) },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void WeightlessNodesAndSmallConstantsAreNotListed()
    {
        var model = new TestGraph()
            .Input("x", Batch, 4).Output("y")
            .Initializer("scale", [1, 4], Values(4, seed: 54))
            .Initializer("table", [4, 4], Values(16, seed: 55))
            .Node("Mul", "scale", ["x", "scale"], ["s"])
            .Node("Sigmoid", "sigmoid", ["s"], ["g"])
            .Node("Identity", "alias", ["table"], ["t"])
            .Node("Add", "add", ["g", "t"], ["y"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        Assert.AreEqual(new SkippedLayer("add", "Add", "Add is not a supported layer (only Conv, Gemm and MatMul are compressed)", 16), scan.Skipped.Single());
    }
}

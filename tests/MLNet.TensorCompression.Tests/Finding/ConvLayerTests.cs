using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Finding;

[TestClass]
public sealed class ConvLayerTests
{
    private static readonly float[] Kernel = Values(4 * 3 * 3 * 3, seed: 1);
    private static readonly float[] Bias = Values(4, seed: 2);

    [TestMethod]
    public void ConvWithBiasIsFoundWithItsKernelBiasAndTensors()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w", [4, 3, 3, 3], Kernel).Initializer("b", [4], Bias)
            .Node("Conv", "conv1", ["x", "w", "b"], ["y"], Ints("pads", 1, 1, 1, 1))
            .Build();

        var scan = LayerFinder.Find(model);

        var layer = scan.Layers.Single();
        Assert.AreEqual("conv1", layer.Name);
        Assert.AreEqual(LayerKind.Convolution, layer.Kind);
        Assert.AreEqual("Conv", layer.OpType);
        Assert.AreEqual("x", layer.InputName);
        Assert.AreEqual("y", layer.OutputName);
        Assert.AreEqual("w", layer.Weight.Name);
        CollectionAssert.AreEqual(new[] { 4, 3, 3, 3 }, layer.Weight.Shape.ToArray());
        CollectionAssert.AreEqual(Kernel, layer.Weight.Data);
        CollectionAssert.AreEqual(Bias, layer.Bias);
        Assert.IsFalse(layer.WeightOnLeft);
        Assert.AreSame(model.Graph.Node[0], layer.Nodes.Single());
        CollectionAssert.AreEqual(new[] { "w", "b" }, layer.ParameterTensorNames.ToArray());
        Assert.AreEqual(64L, layer.ApplicationsPerSample);
        Assert.AreEqual(64L * 108, layer.DenseMacsPerSample);
        Assert.IsEmpty(scan.Skipped);
        Assert.IsNull(scan.ShapeProbeFailure);
    }

    [TestMethod]
    public void ConvWithoutBiasHasNoBias()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w", [4, 3, 3, 3], Kernel)
            .Node("Conv", "conv", ["x", "w"], ["y"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.IsNull(layer.Bias);
        CollectionAssert.AreEqual(new[] { "w" }, layer.ParameterTensorNames.ToArray());
        Assert.AreEqual(36L, layer.ApplicationsPerSample);
    }

    [TestMethod]
    public void AnEmptyBiasNameMeansNoBias()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w", [4, 3, 3, 3], Kernel)
            .Node("Conv", "conv", ["x", "w", ""], ["y"])
            .Build();

        Assert.IsNull(LayerFinder.Find(model).Layers.Single().Bias);
    }

    [TestMethod]
    public void GeometryAttributesAreCopiedAndOthersLeftOut()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 28, 28).Output("y1").Output("y2")
            .Initializer("w1", [4, 3, 3, 3], Kernel).Initializer("w2", [4, 3, 3, 3], Kernel)
            .Node("Conv", "explicit", ["x", "w1"], ["y1"],
                Ints("strides", 2, 1), Ints("pads", 1, 2, 1, 0), Ints("dilations", 2, 1), Ints("kernel_shape", 3, 3), Int("group", 1))
            .Node("Conv", "same", ["x", "w2"], ["y2"], String("auto_pad", "SAME_UPPER"), Ints("strides", 2, 2))
            .Build();

        var layers = LayerFinder.Find(model).Layers;

        var explicitNode = model.Graph.Node[0];
        var copied = layers[0].ConvolutionAttributes;
        CollectionAssert.AreEqual(new[] { "strides", "pads", "dilations" }, copied.Select(a => a.Name).ToArray());
        for (var i = 0; i < copied.Count; i++)
        {
            Assert.AreEqual(explicitNode.Attribute[i], copied[i]);
            Assert.AreNotSame(explicitNode.Attribute[i], copied[i]);
        }

        // (28 + 1 + 1 − 2·2 − 1) / 2 + 1 = 13 rows; (28 + 2 + 0 − 3) / 1 + 1 = 28 columns.
        Assert.AreEqual(13L * 28, layers[0].ApplicationsPerSample);
        CollectionAssert.AreEqual(new[] { "auto_pad", "strides" }, layers[1].ConvolutionAttributes.Select(a => a.Name).ToArray());
        Assert.AreEqual("SAME_UPPER", layers[1].ConvolutionAttributes[0].S.ToStringUtf8());
        Assert.AreEqual(14L * 14, layers[1].ApplicationsPerSample);
    }

    [TestMethod]
    public void StrideTwoOn28By28GivesFourteenByFourteenApplications()
    {
        var model = new TestGraph()
            .Input("x", Batch, 1, 28, 28).Output("y")
            .Initializer("w", [6, 1, 3, 3], Values(54, seed: 3))
            .Node("Conv", "conv", ["x", "w"], ["y"], Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1))
            .Build();

        Assert.AreEqual(14L * 14, LayerFinder.Find(model).Layers.Single().ApplicationsPerSample);
    }

    [TestMethod]
    public void OneByOneConvIsALayer()
    {
        var kernel = Values(8 * 3, seed: 4);
        var model = new TestGraph()
            .Input("x", Batch, 3, 5, 7).Output("y")
            .Initializer("w", [8, 3, 1, 1], kernel)
            .Node("Conv", "pointwise", ["x", "w"], ["y"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        CollectionAssert.AreEqual(new[] { 8, 3, 1, 1 }, layer.Weight.Shape.ToArray());
        CollectionAssert.AreEqual(kernel, layer.Weight.Data);
        Assert.AreEqual(35L, layer.ApplicationsPerSample);
    }

    [TestMethod]
    public void GroupedConvolutionIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Batch, 4, 8, 8).Output("y")
            .Initializer("w", [4, 2, 3, 3], Values(72, seed: 5)).Initializer("b", [4], Bias)
            .Node("Conv", "grouped", ["x", "w", "b"], ["y"], Int("group", 2))
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        Assert.AreEqual(new SkippedLayer("grouped", "Conv", "grouped convolution (group=2)", 76), scan.Skipped.Single());
    }

    [TestMethod]
    public void OneAndThreeDimensionalConvolutionsAreSkipped()
    {
        var model = new TestGraph()
            .Input("x1", Batch, 3, 16).Input("x3", Batch, 3, 4, 4, 4).Output("y1").Output("y3")
            .Initializer("w1", [4, 3, 3], Values(36, seed: 6)).Initializer("w3", [4, 3, 3, 3, 3], Values(324, seed: 7))
            .Node("Conv", "conv1d", ["x1", "w1"], ["y1"])
            .Node("Conv", "conv3d", ["x3", "w3"], ["y3"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        CollectionAssert.AreEqual(
            new[]
            {
                new SkippedLayer("conv1d", "Conv", "1-D convolution (kernel rank 3)", 36),
                new SkippedLayer("conv3d", "Conv", "3-D convolution (kernel rank 5)", 324),
            },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void BiasOfTheWrongLengthIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("y")
            .Initializer("w", [4, 3, 3, 3], Kernel).Initializer("b", [3], Values(3, seed: 8))
            .Node("Conv", "conv", ["x", "w", "b"], ["y"])
            .Build();

        var skipped = LayerFinder.Find(model).Skipped.Single();

        Assert.AreEqual("bias 'b' has shape [3], expected [4]", skipped.Reason);
    }

    [TestMethod]
    public void UnnamedNodeIsNamedAfterItsOutput()
    {
        var model = new TestGraph()
            .Input("x", Batch, 3, 8, 8).Output("/conv/Conv_output_0")
            .Initializer("w", [4, 3, 3, 3], Kernel)
            .Node("Conv", "", ["x", "w"], ["/conv/Conv_output_0"])
            .Build();

        Assert.AreEqual("/conv/Conv_output_0", LayerFinder.Find(model).Layers.Single().Name);
    }
}

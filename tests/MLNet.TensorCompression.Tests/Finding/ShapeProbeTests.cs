using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>How the applications per sample are measured, and what happens when they cannot be.</summary>
[TestClass]
public sealed class ShapeProbeTests
{
    [TestMethod]
    public void ProbeMeasuresIntermediateTensorsAndReportsInputsAsFed()
    {
        var model = ConvThenFullyConnected().Build();
        var before = model.ToBytes();

        var measured = ShapeProbe.Measure(model, ["h", "flat", "x"]);

        Assert.IsNull(measured.FailureReason);
        CollectionAssert.AreEqual(new long[] { 1, 4, 14, 14 }, measured.Shapes["h"]);
        CollectionAssert.AreEqual(new long[] { 1, 4 * 14 * 14 }, measured.Shapes["flat"]);
        CollectionAssert.AreEqual(new long[] { 1, 1, 28, 28 }, measured.Shapes["x"]);
        CollectionAssert.AreEqual(before, model.ToBytes(), "the model is not modified");
    }

    [TestMethod]
    public void ConvAndFullyConnectedLayersOfOneModel()
    {
        var model = ConvThenFullyConnected().Build();
        var before = model.ToBytes();

        var scan = LayerFinder.Find(model);

        CollectionAssert.AreEqual(new[] { "conv", "fc", "head" }, scan.Layers.Select(layer => layer.Name).ToArray());
        CollectionAssert.AreEqual(new long?[] { 196, 1, 1 }, scan.Layers.Select(layer => layer.ApplicationsPerSample).ToArray());
        Assert.IsNull(scan.ShapeProbeFailure);
        CollectionAssert.AreEqual(before, model.ToBytes(), "the model is not modified");
    }

    [TestMethod]
    public void CompleteDeclaredShapesAreUsedWithoutRunningTheModel()
    {
        // The INT64 input would stop the probe, so the conv's applications can only come from value_info.
        var model = new TestGraph()
            .Input("x", Batch, 1, 28, 28).TypedInput("ids", DataType.Int64, Batch).Output("y")
            .DeclaredShape("h", 1, 4, 14, 14)
            .Initializer("w", [4, 1, 3, 3], Values(36, seed: 41))
            .Node("Conv", "conv", ["x", "w"], ["h"], Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu", ["h"], ["y"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.AreEqual(196L, scan.Layers.Single().ApplicationsPerSample);
        Assert.IsNull(scan.ShapeProbeFailure);
    }

    [TestMethod]
    public void NonFloatInputLeavesApplicationsUnknownAndSaysWhy()
    {
        var model = ConvThenFullyConnected().TypedInput("ids", DataType.Int64, Batch).Build();

        var scan = LayerFinder.Find(model);

        CollectionAssert.AreEqual(new long?[] { null, 1, null }, scan.Layers.Select(layer => layer.ApplicationsPerSample).ToArray());
        Assert.AreEqual("graph input 'ids' has element type INT64; the shape probe feeds only FLOAT inputs", scan.ShapeProbeFailure);
    }

    [TestMethod]
    public void InputOfUnknownRankLeavesApplicationsUnknown()
    {
        var model = ConvThenFullyConnected().Build();
        model.Graph.Input[0].Type.TensorType.Shape = null;

        var scan = LayerFinder.Find(model);

        Assert.IsNull(scan.Layers[0].ApplicationsPerSample);
        Assert.AreEqual("graph input 'x' has no declared rank", scan.ShapeProbeFailure);
    }

    [TestMethod]
    public void ModelThatFailsToRunLeavesApplicationsUnknown()
    {
        // With the batch set to 1, x holds 6 values and cannot be reshaped to [4, 3].
        var model = new TestGraph()
            .Input("x", Batch, 6).Output("y")
            .Initializer(new TensorProto { Name = "shape", DataType = (int)DataType.Int64, Dims = { 2 }, Int64Data = { 4, 3 } })
            .Initializer("w", [3, 2], Values(6, seed: 42))
            .Node("Reshape", "reshape", ["x", "shape"], ["rows"])
            .Node("MatMul", "mm", ["rows", "w"], ["y"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsNull(scan.Layers.Single().ApplicationsPerSample);
        Assert.StartsWith("the model could not be run to measure its shapes: ", scan.ShapeProbeFailure);
        Assert.IsEmpty(scan.Skipped);
    }

    /// <summary>x [N, 1, 28, 28] → Conv (4 channels, stride 2) → Relu → Flatten → Gemm (32) → MatMul+Add (10).</summary>
    private static TestGraph ConvThenFullyConnected() => new TestGraph()
        .Input("x", Batch, 1, 28, 28).Output("y")
        .Initializer("conv.w", [4, 1, 3, 3], Values(36, seed: 43))
        .Initializer("fc.w", [32, 4 * 14 * 14], Values(32 * 4 * 14 * 14, seed: 44)).Initializer("fc.b", [32], Values(32, seed: 45))
        .Initializer("head.w", [32, 10], Values(320, seed: 46)).Initializer("head.b", [10], Values(10, seed: 47))
        .Node("Conv", "conv", ["x", "conv.w"], ["h"], Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1))
        .Node("Relu", "relu", ["h"], ["r"])
        .Node("Flatten", "flatten", ["r"], ["flat"])
        .Node("Gemm", "fc", ["flat", "fc.w", "fc.b"], ["f"], Int("transB", 1))
        .Node("MatMul", "head", ["f", "head.w"], ["logits"])
        .Node("Add", "head_bias", ["logits", "head.b"], ["y"]);
}

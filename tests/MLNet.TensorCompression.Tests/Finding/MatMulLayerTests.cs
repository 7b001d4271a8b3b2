using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Tests.Onnx;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Finding;

[TestClass]
public sealed class MatMulLayerTests
{
    private const int Inputs = 6;
    private const int Outputs = 4;
    private static readonly float[] WeightValues = Values(Inputs * Outputs, seed: 21);
    private static readonly float[] BiasValues = Values(Outputs, seed: 22);

    [TestMethod]
    public void WeightOnTheRightIsTransposedToOutByIn()
    {
        const int positions = 3;
        var model = new TestGraph()
            .Input("x", Batch, positions, Inputs).Output("y")
            .Initializer("W", [Inputs, Outputs], WeightValues)
            .Node("MatMul", "proj", ["x", "W"], ["y"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.AreEqual(LayerKind.FullyConnected, layer.Kind);
        Assert.AreEqual("MatMul", layer.OpType);
        Assert.IsFalse(layer.WeightOnLeft);
        Assert.AreEqual("x", layer.InputName);
        Assert.AreEqual("y", layer.OutputName);
        CollectionAssert.AreEqual(new[] { Outputs, Inputs }, layer.Weight.Shape.ToArray());
        Assert.AreEqual(WeightValues[5 * Outputs + 2], layer.Weight.Data[2 * Inputs + 5]);
        Assert.IsNull(layer.Bias);
        Assert.AreEqual((long)positions, layer.ApplicationsPerSample);

        var x = Values(2 * positions * Inputs, seed: 23);
        FullyConnectedReference.AssertClose(OrtScoring.Run(model.ToBytes(), x, [2, positions, Inputs]), FullyConnectedReference.Apply(layer, x));
    }

    [TestMethod]
    public void WeightOnTheLeftIsKeptAsItIs()
    {
        const int columns = 5;
        var model = new TestGraph()
            .Input("x", Batch, Inputs, columns).Output("y")
            .Initializer("W", [Outputs, Inputs], WeightValues)
            .Node("MatMul", "mix", ["W", "x"], ["y"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.IsTrue(layer.WeightOnLeft);
        Assert.AreEqual("x", layer.InputName);
        CollectionAssert.AreEqual(new[] { Outputs, Inputs }, layer.Weight.Shape.ToArray());
        CollectionAssert.AreEqual(WeightValues, layer.Weight.Data);
        Assert.AreEqual((long)columns, layer.ApplicationsPerSample);

        // y = W·x: each column of x goes through the layer, so compare on transposed columns.
        var x = Values(columns * Inputs, seed: 24);
        var y = OrtScoring.Run(model.ToBytes(), x, [1, Inputs, columns]);
        var columnsOfX = Enumerable.Range(0, columns * Inputs).Select(k => x[(k % Inputs) * columns + k / Inputs]).ToArray();
        var columnsOfY = Enumerable.Range(0, columns * Outputs).Select(k => y[(k % Outputs) * columns + k / Outputs]).ToArray();
        FullyConnectedReference.AssertClose(columnsOfY, FullyConnectedReference.Apply(layer, columnsOfX));
    }

    [TestMethod]
    [DataRow(false, DisplayName = "Add(y, b)")]
    [DataRow(true, DisplayName = "Add(b, y)")]
    public void BiasAddIsFusedInEitherOperandOrder(bool biasFirst)
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("z")
            .Initializer("W", [Inputs, Outputs], WeightValues).Initializer("b", [Outputs], BiasValues)
            .Node("MatMul", "fc/MatMul", ["x", "W"], ["y"])
            .Node("Add", "fc/Add", biasFirst ? ["b", "y"] : ["y", "b"], ["z"])
            .Build();

        var scan = LayerFinder.Find(model);

        var layer = scan.Layers.Single();
        Assert.AreEqual("fc/MatMul", layer.Name);
        Assert.AreEqual("MatMul+Add", layer.OpType);
        Assert.AreEqual("z", layer.OutputName);
        CollectionAssert.AreEqual(model.Graph.Node.ToArray(), layer.Nodes.ToArray());
        CollectionAssert.AreEqual(BiasValues, layer.Bias);
        CollectionAssert.AreEqual(new[] { "W", "b" }, layer.ParameterTensorNames.ToArray());
        Assert.AreEqual(1L, layer.ApplicationsPerSample);
        Assert.IsEmpty(scan.Skipped);

        var x = Values(3 * Inputs, seed: 25);
        FullyConnectedReference.AssertClose(OrtScoring.Run(model.ToBytes(), x, [3, Inputs]), FullyConnectedReference.Apply(layer, x));
    }

    [TestMethod]
    public void ProductThatIsAlsoAGraphOutputIsNotFused()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y").Output("z")
            .Initializer("W", [Inputs, Outputs], WeightValues).Initializer("b", [Outputs], BiasValues)
            .Node("MatMul", "mm", ["x", "W"], ["y"])
            .Node("Add", "add", ["y", "b"], ["z"])
            .Build();

        var scan = LayerFinder.Find(model);

        var layer = scan.Layers.Single();
        Assert.AreEqual("MatMul", layer.OpType);
        Assert.AreEqual("y", layer.OutputName);
        Assert.IsNull(layer.Bias);
        Assert.HasCount(1, layer.Nodes);
        Assert.IsEmpty(scan.Skipped);
    }

    [TestMethod]
    public void ProductReadByTwoNodesIsNotFused()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("z").Output("r")
            .Initializer("W", [Inputs, Outputs], WeightValues).Initializer("b", [Outputs], BiasValues)
            .Node("MatMul", "mm", ["x", "W"], ["y"])
            .Node("Add", "add", ["y", "b"], ["z"])
            .Node("Relu", "relu", ["y"], ["r"])
            .Build();

        Assert.AreEqual("MatMul", LayerFinder.Find(model).Layers.Single().OpType);
    }

    [TestMethod]
    public void AddOfANonMatchingBiasIsNotFused()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("z")
            .Initializer("W", [Inputs, Outputs], WeightValues).Initializer("b", [1, Outputs], BiasValues)
            .Node("MatMul", "mm", ["x", "W"], ["y"])
            .Node("Add", "add", ["y", "b"], ["z"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.AreEqual("MatMul", layer.OpType);
        Assert.AreEqual("y", layer.OutputName);
    }

    [TestMethod]
    public void WeightOnTheLeftIsNotFusedWithAnAdd()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs, Outputs).Output("z")
            .Initializer("W", [Outputs, Inputs], WeightValues).Initializer("b", [Outputs], BiasValues)
            .Node("MatMul", "mm", ["W", "x"], ["y"])
            .Node("Add", "add", ["y", "b"], ["z"])
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.AreEqual("MatMul", layer.OpType);
        Assert.IsTrue(layer.WeightOnLeft);
    }

    [TestMethod]
    public void ProductOfTwoActivationsOrTwoConstantsIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Input("v", Inputs, Outputs).Output("y").Output("k")
            .Initializer("W1", [Inputs, Outputs], WeightValues).Initializer("W2", [Outputs, Inputs], WeightValues)
            .Node("MatMul", "activations", ["x", "v"], ["y"])
            .Node("MatMul", "constants", ["W1", "W2"], ["k"])
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        CollectionAssert.AreEqual(
            new[]
            {
                new SkippedLayer("activations", "MatMul",
                    "neither operand is a constant (A is not a constant ('x' is a graph input); B is not a constant ('v' is a graph input))", null),
                new SkippedLayer("constants", "MatMul", "both operands are constants (constant folding would remove the node)", 48),
            },
            scan.Skipped.ToArray());
    }

    [TestMethod]
    public void BatchedConstantOperandIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", 2, 3, Inputs).Output("y")
            .Initializer("W", [2, Inputs, Outputs], Values(2 * Inputs * Outputs, seed: 26))
            .Node("MatMul", "bmm", ["x", "W"], ["y"])
            .Build();

        var skipped = LayerFinder.Find(model).Skipped.Single();

        Assert.AreEqual("constant operand 'W' has shape [2,6,4]; only a 2-D weight is compressed", skipped.Reason);
    }
}

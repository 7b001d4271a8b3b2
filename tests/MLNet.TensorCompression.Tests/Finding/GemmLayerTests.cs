using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Onnx;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Finding;

[TestClass]
public sealed class GemmLayerTests
{
    private const int Inputs = 5;
    private const int Outputs = 3;
    private const int Rows = 4;

    [TestMethod]
    [DataRow(0L, DisplayName = "transB=0: B is [in, out]")]
    [DataRow(1L, DisplayName = "transB=1: B is [out, in]")]
    public void CanonicalWeightAndBiasReproduceTheGemm(long transB)
    {
        var b = Values(Inputs * Outputs, seed: 11);
        var c = Values(Outputs, seed: 12);
        int[] bShape = transB == 1 ? [Outputs, Inputs] : [Inputs, Outputs];
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("B", bShape, b).Initializer("C", [Outputs], c)
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"], Float("alpha", 0.5f), Float("beta", -2f), Int("transB", transB))
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.AreEqual(LayerKind.FullyConnected, layer.Kind);
        Assert.AreEqual("Gemm", layer.OpType);
        Assert.AreEqual("x", layer.InputName);
        Assert.AreEqual("y", layer.OutputName);
        CollectionAssert.AreEqual(new[] { Outputs, Inputs }, layer.Weight.Shape.ToArray());
        var stored = (int o, int i) => transB == 1 ? b[o * Inputs + i] : b[i * Outputs + o];
        Assert.AreEqual(0.5f * stored(2, 4), layer.Weight.Data[2 * Inputs + 4]);
        CollectionAssert.AreEqual(c.Select(value => -2f * value).ToArray(), layer.Bias);
        CollectionAssert.AreEqual(new[] { "B", "C" }, layer.ParameterTensorNames.ToArray());
        Assert.AreEqual(1L, layer.ApplicationsPerSample);

        var x = Values(Rows * Inputs, seed: 13);
        FullyConnectedReference.AssertClose(OrtScoring.Run(model.ToBytes(), x, [Rows, Inputs]), FullyConnectedReference.Apply(layer, x));
    }

    [TestMethod]
    public void GemmWithoutBiasHasNoBias()
    {
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("B", [Inputs, Outputs], Values(Inputs * Outputs, seed: 14))
            .Node("Gemm", "fc", ["x", "B"], ["y"], Float("beta", 3f))
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.IsNull(layer.Bias);
        CollectionAssert.AreEqual(new[] { "B" }, layer.ParameterTensorNames.ToArray());
    }

    [TestMethod]
    [DataRow(new[] { 1, Outputs }, DisplayName = "C [1, out]")]
    [DataRow(new[] { 1 }, DisplayName = "C [1]")]
    [DataRow(new int[0], DisplayName = "C scalar")]
    public void BiasBroadcastFromOneRowIsPerOutput(int[] cShape)
    {
        var c = Values(cShape.Aggregate(1, (count, size) => count * size), seed: 15);
        var model = new TestGraph()
            .Input("x", Batch, Inputs).Output("y")
            .Initializer("B", [Outputs, Inputs], Values(Inputs * Outputs, seed: 16)).Initializer("C", cShape, c)
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"], Int("transB", 1))
            .Build();

        var layer = LayerFinder.Find(model).Layers.Single();

        Assert.HasCount(Outputs, layer.Bias!);
        var x = Values(Rows * Inputs, seed: 17);
        FullyConnectedReference.AssertClose(OrtScoring.Run(model.ToBytes(), x, [Rows, Inputs]), FullyConnectedReference.Apply(layer, x));
    }

    [TestMethod]
    public void BiasVaryingByRowIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Rows, Inputs).Output("y")
            .Initializer("B", [Outputs, Inputs], Values(Inputs * Outputs, seed: 18)).Initializer("C", [Rows, Outputs], Values(Rows * Outputs, seed: 19))
            .Node("Gemm", "fc", ["x", "B", "C"], ["y"], Int("transB", 1))
            .Build();

        var scan = LayerFinder.Find(model);

        Assert.IsEmpty(scan.Layers);
        Assert.AreEqual(
            new SkippedLayer("fc", "Gemm", "bias C 'C' has shape [4,3], not one value per output (expected [3], [1,3] or a single value)", 27),
            scan.Skipped.Single());
    }

    [TestMethod]
    public void TransposedActivationIsSkipped()
    {
        var model = new TestGraph()
            .Input("x", Inputs, Batch).Output("y")
            .Initializer("B", [Inputs, Outputs], Values(Inputs * Outputs, seed: 20))
            .Node("Gemm", "fc", ["x", "B"], ["y"], Int("transA", 1))
            .Build();

        var skipped = LayerFinder.Find(model).Skipped.Single();

        Assert.AreEqual(new SkippedLayer("fc", "Gemm", "transA=1: the activation is transposed", Inputs * Outputs), skipped);
    }
}

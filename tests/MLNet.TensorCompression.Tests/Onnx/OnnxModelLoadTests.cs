using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Onnx;

[TestClass]
public sealed class OnnxModelLoadTests
{
    private const int Rows = 5;

    [TestMethod]
    public void OnnxRuntimeScoresTheBuiltModelLikeTheHandComputation()
    {
        var model = new OnnxModel(GemmReluModel.Create());
        var x = GemmReluModel.Input(Rows, 4);

        var y = OrtScoring.Run(model.ToBytes(), x, [Rows, 4]);

        var expected = GemmReluModel.ExpectedOutput(x, Rows, 4, 3);
        Assert.HasCount(expected.Length, y);
        for (var k = 0; k < y.Length; k++)
        {
            Assert.AreEqual(expected[k], y[k], 1e-6f, $"element {k}");
        }

        Assert.IsTrue(expected.Any(v => v == 0) && expected.Any(v => v > 0), "the test data should exercise both sides of Relu");
    }

    [TestMethod]
    public void PathStreamAndBytesLoadTheSameModel()
    {
        using var directory = new TemporaryDirectory();
        var bytes = GemmReluModel.Create().ToByteArray();
        var path = directory.File("model.onnx");
        File.WriteAllBytes(path, bytes);

        using var stream = new MemoryStream(bytes);
        var fromPath = OnnxModel.Load(path);
        var fromStream = OnnxModel.Load(stream);
        var fromBytes = OnnxModel.Load(bytes);

        Assert.AreEqual(GemmReluModel.Create(), fromPath.Proto);
        Assert.AreEqual(fromPath.Proto, fromStream.Proto);
        Assert.AreEqual(fromPath.Proto, fromBytes.Proto);
        Assert.AreSame(fromPath.Proto.Graph, fromPath.Graph);
    }

    [TestMethod]
    public void TruncatedFileIsRejectedNamingTheFile()
    {
        using var directory = new TemporaryDirectory();
        var bytes = GemmReluModel.Create().ToByteArray();
        var path = directory.File("truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(path));

        StringAssert.Contains(error.Message, $"File '{path}' is not a valid ONNX model: ");
        Assert.IsInstanceOfType<InvalidProtocolBufferException>(error.InnerException);
    }

    [TestMethod]
    public void GarbageBytesAreRejectedNamingTheSource()
    {
        var garbage = new byte[300];
        new Random(1234).NextBytes(garbage);

        var fromBytes = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(garbage));
        var fromStream = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(new MemoryStream(garbage)));

        StringAssert.StartsWith(fromBytes.Message, "The byte array (300 bytes) is not a valid ONNX model: ");
        StringAssert.StartsWith(fromStream.Message, "The stream is not a valid ONNX model: ");
    }

    [TestMethod]
    public void TextFileIsRejectedNamingTheFile()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("notes.onnx");
        File.WriteAllText(path, "this is a text file, not an ONNX model\n");

        using var stream = File.OpenRead(path);
        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(stream));

        StringAssert.StartsWith(error.Message, $"File '{path}' is not a valid ONNX model: ");
    }

    [TestMethod]
    public void ModelWithoutAGraphIsRejected()
    {
        var bytes = new ModelProto { IrVersion = 8, ProducerName = "no graph" }.ToByteArray();

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(bytes));

        StringAssert.Contains(error.Message, "is not a valid ONNX model: it has no graph.");
        Assert.ThrowsExactly<ArgumentException>(() => new OnnxModel(new ModelProto { IrVersion = 8 }));
    }

    [TestMethod]
    public void CloneIsADeepCopy()
    {
        var original = new OnnxModel(GemmReluModel.Create());
        var originalBytes = original.ToBytes();

        var clone = original.Clone();
        clone.Graph.Initializer[0] = FloatTensorProto.Create(GemmReluModel.WeightName, [3, 4], new float[12]);
        clone.Graph.Node[0].Attribute[0].I = 0;
        clone.Proto.ProducerName = "rewritten";

        CollectionAssert.AreEqual(originalBytes, original.ToBytes());
        Assert.AreNotEqual(original.Proto, clone.Proto);
    }
}

using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Onnx;

[TestClass]
public sealed class OnnxModelSaveTests
{
    private const int Rows = 4;

    [TestMethod]
    public void SaveAndLoadRoundTripIsByteIdenticalAndScoresIdentically()
    {
        using var directory = new TemporaryDirectory();
        var originalBytes = GemmReluModel.Create().ToByteArray();
        var path = directory.File("model.onnx");

        OnnxModel.Load(originalBytes).Save(path);
        var reloaded = OnnxModel.Load(path);

        CollectionAssert.AreEqual(originalBytes, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(originalBytes, reloaded.ToBytes());
        var x = GemmReluModel.Input(Rows, 4);
        CollectionAssert.AreEqual(OrtScoring.Run(originalBytes, x, [Rows, 4]), OrtScoring.Run(path, x, [Rows, 4]));
    }

    [TestMethod]
    public void WriteToWritesTheSameBytesAsToBytes()
    {
        var model = new OnnxModel(GemmReluModel.Create());
        using var stream = new MemoryStream();

        model.WriteTo(stream);

        CollectionAssert.AreEqual(model.ToBytes(), stream.ToArray());
    }

    [TestMethod]
    public void SaveReplacesAnExistingFileAndLeavesNoTemporaryFiles()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        File.WriteAllText(path, "an older model");
        var model = new OnnxModel(GemmReluModel.Create());

        model.Save(path);

        CollectionAssert.AreEqual(model.ToBytes(), File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { "model.onnx" }, directory.FileNames());
    }

    [TestMethod]
    [DataRow(16L, "its tensors alone take at least 60 bytes")]
    [DataRow(100L, "it takes")]
    public void SaveOverTheSizeLimitFailsBeforeWritingAndKeepsTheExistingFile(long maxProtobufBytes, string expectedSize)
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        File.WriteAllText(path, "the existing model");
        var model = GemmReluModel.Create();

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelWriter.Save(model, path, null, maxProtobufBytes));

        StringAssert.Contains(error.Message, expectedSize);
        StringAssert.Contains(error.Message, "ExternalData = true");
        StringAssert.Contains(error.Message, path);
        Assert.AreEqual("the existing model", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { "model.onnx" }, directory.FileNames());
    }

    [TestMethod]
    public void ToBytesAndWriteToOverTheSizeLimitFailBeforeWriting()
    {
        var model = GemmReluModel.Create();
        using var stream = new MemoryStream();

        var toBytes = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelWriter.ToBytes(model, 100));
        Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelWriter.WriteTo(model, stream, 100));

        StringAssert.Contains(toBytes.Message, "too large for a single protobuf message");
        Assert.AreEqual(0, stream.Length);
    }

    [TestMethod]
    public void SaveRejectsATensorWhoseExternalDataWasNeverRead()
    {
        using var directory = new TemporaryDirectory();
        var proto = GemmReluModel.Create();
        var weight = proto.Graph.Initializer[0];
        weight.ClearRawData();
        weight.DataLocation = TensorProto.Types.DataLocation.External;
        weight.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "elsewhere.bin" });
        var model = new OnnxModel(proto);

        var error = Assert.ThrowsExactly<OnnxModelException>(() => model.Save(directory.File("model.onnx")));

        StringAssert.Contains(error.Message, "Tensor 'W' still refers to external data");
        Assert.IsEmpty(directory.FileNames());
    }

    [TestMethod]
    public void SaveIntoAMissingDirectoryFailsWithoutLeavingFiles()
    {
        using var directory = new TemporaryDirectory();
        var model = new OnnxModel(GemmReluModel.Create());

        Assert.ThrowsExactly<DirectoryNotFoundException>(() => model.Save(directory.File(Path.Combine("missing", "model.onnx"))));

        Assert.IsEmpty(Directory.GetFileSystemEntries(directory.Path));
    }
}

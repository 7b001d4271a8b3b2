using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataLocation = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataLocation;

namespace MLNet.TensorCompression.Tests.Onnx;

[TestClass]
public sealed class ExternalDataTests
{
    // W[30, 60] takes 7200 bytes, which is not a multiple of 64, so B's offset shows the alignment.
    private const int InFeatures = 60;
    private const int OutFeatures = 30;
    private const int Rows = 3;

    [TestMethod]
    public void ExternalDataSaveWritesAlignedTensorsThatOnnxRuntimeAndLoadRead()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        var originalBytes = GemmReluModel.Create(InFeatures, OutFeatures).ToByteArray();
        var model = OnnxModel.Load(originalBytes);

        model.Save(path, new OnnxSaveOptions { ExternalData = true, ExternalDataThreshold = 64 });

        CollectionAssert.AreEqual(new[] { "model.onnx", "model.onnx.data" }, directory.FileNames());
        CollectionAssert.AreEqual(originalBytes, model.ToBytes(), "saving must not change the model in memory");
        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        AssertExternal(onDisk.Graph.Initializer[0], "model.onnx.data", offset: 0, length: 7200);
        AssertExternal(onDisk.Graph.Initializer[1], "model.onnx.data", offset: 7232, length: 120);
        Assert.AreEqual(7232 + 120, new FileInfo(directory.File("model.onnx.data")).Length);

        var x = GemmReluModel.Input(Rows, InFeatures);
        var expected = OrtScoring.Run(originalBytes, x, [Rows, InFeatures]);
        CollectionAssert.AreEqual(expected, OrtScoring.Run(path, x, [Rows, InFeatures]));
        var reloaded = OnnxModel.Load(path);
        CollectionAssert.AreEqual(originalBytes, reloaded.ToBytes(), "loading must bring the external data back in");
        CollectionAssert.AreEqual(GemmReluModel.Weight(InFeatures, OutFeatures), reloaded.GetInitializer(GemmReluModel.WeightName).Data);
    }

    [TestMethod]
    public void InitializersBelowTheThresholdStayEmbedded()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        var model = new OnnxModel(GemmReluModel.Create(InFeatures, OutFeatures));

        model.Save(path, new OnnxSaveOptions { ExternalData = true, ExternalDataFileName = "weights.bin" });

        var onDisk = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        AssertExternal(onDisk.Graph.Initializer[0], "weights.bin", offset: 0, length: 7200);
        Assert.IsFalse(onDisk.Graph.Initializer[1].HasDataLocation);
        Assert.AreEqual(120, onDisk.Graph.Initializer[1].RawData.Length);
        Assert.AreEqual(7200, new FileInfo(directory.File("weights.bin")).Length);
    }

    [TestMethod]
    public void NoDataFileIsWrittenWhenNoInitializerReachesTheThreshold()
    {
        using var directory = new TemporaryDirectory();
        var model = new OnnxModel(GemmReluModel.Create());

        model.Save(directory.File("model.onnx"), new OnnxSaveOptions { ExternalData = true });

        CollectionAssert.AreEqual(new[] { "model.onnx" }, directory.FileNames());
        CollectionAssert.AreEqual(model.ToBytes(), File.ReadAllBytes(directory.File("model.onnx")));
    }

    [TestMethod]
    public void FloatDataInitializersAreWrittenAsRawExternalData()
    {
        using var directory = new TemporaryDirectory();
        var proto = GemmReluModel.Create(InFeatures, OutFeatures);
        var weight = proto.Graph.Initializer[0];
        weight.FloatData.Add(GemmReluModel.Weight(InFeatures, OutFeatures));
        weight.ClearRawData();
        var path = directory.File("model.onnx");

        new OnnxModel(proto).Save(path, new OnnxSaveOptions { ExternalData = true });

        var x = GemmReluModel.Input(Rows, InFeatures);
        CollectionAssert.AreEqual(OrtScoring.Run(proto.ToByteArray(), x, [Rows, InFeatures]), OrtScoring.Run(path, x, [Rows, InFeatures]));
        var reloadedWeight = OnnxModel.Load(path).Graph.Initializer[0];
        Assert.IsEmpty(reloadedWeight.FloatData);
        Assert.AreEqual(7200, reloadedWeight.RawData.Length);
    }

    [TestMethod]
    public void ExternalDataIsFoundRelativeToTheModelsDirectory()
    {
        using var directory = new TemporaryDirectory();
        var modelDirectory = Directory.CreateDirectory(directory.File("models")).FullName;
        var path = Path.Combine(modelDirectory, "model.onnx");
        var original = new OnnxModel(GemmReluModel.Create(InFeatures, OutFeatures));
        original.Save(path, new OnnxSaveOptions { ExternalData = true });
        // Move the data into a subfolder and point the model at it, as other tools may lay it out.
        Directory.CreateDirectory(Path.Combine(modelDirectory, "weights"));
        File.Move(path + ".data", Path.Combine(modelDirectory, "weights", "fc.bin"));
        RewriteLocations(path, "weights/fc.bin");

        var fromPath = OnnxModel.Load(Path.GetRelativePath(Environment.CurrentDirectory, path));
        using var stream = File.OpenRead(path);
        var fromStream = OnnxModel.Load(stream, modelDirectory);

        CollectionAssert.AreEqual(original.ToBytes(), fromPath.ToBytes());
        CollectionAssert.AreEqual(original.ToBytes(), fromStream.ToBytes());
        var x = GemmReluModel.Input(Rows, InFeatures);
        CollectionAssert.AreEqual(OrtScoring.Run(original.ToBytes(), x, [Rows, InFeatures]), OrtScoring.Run(path, x, [Rows, InFeatures]));
    }

    [TestMethod]
    public void ExternalDataWithoutADirectoryIsRejectedNamingTheTensor()
    {
        using var directory = new TemporaryDirectory();
        var path = SaveWithExternalWeight(directory);

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(File.ReadAllBytes(path)));

        StringAssert.Contains(error.Message, "Tensor 'W' in the byte array");
        StringAssert.Contains(error.Message, "external file 'model.onnx.data'");
        StringAssert.Contains(error.Message, "externalDataDirectory");
    }

    [TestMethod]
    public void MissingExternalDataFileIsRejectedNamingTensorAndFile()
    {
        using var directory = new TemporaryDirectory();
        var path = SaveWithExternalWeight(directory);
        File.Delete(path + ".data");

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(path));

        StringAssert.Contains(error.Message, $"Tensor 'W' in file '{path}'");
        StringAssert.Contains(error.Message, $"external file 'model.onnx.data', which was not found at '{path}.data'");
    }

    [TestMethod]
    [DataRow("offset", "7000", "bytes 7000..14200")]
    [DataRow("length", "7201", "bytes 0..7201")]
    [DataRow("offset", "9000", "starts at byte 9000")]
    public void ExternalDataRangePastTheEndOfTheFileIsRejected(string key, string value, string expectedRange)
    {
        using var directory = new TemporaryDirectory();
        var path = SaveWithExternalWeight(directory);
        RewriteEntry(path, key, value);

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(path));

        StringAssert.Contains(error.Message, "Tensor 'W'");
        StringAssert.Contains(error.Message, expectedRange);
        StringAssert.Contains(error.Message, "of external file 'model.onnx.data', which holds only 7200 bytes.");
    }

    [TestMethod]
    public void NonNumericOffsetIsRejectedNamingTheTensor()
    {
        using var directory = new TemporaryDirectory();
        var path = SaveWithExternalWeight(directory);
        RewriteEntry(path, "offset", "-64");

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(path));

        StringAssert.Contains(error.Message, "Tensor 'W'");
        StringAssert.Contains(error.Message, "'offset' = '-64', which is not a byte count");
    }

    [TestMethod]
    [DataRow("../model.onnx.data")]
    [DataRow("weights/../../model.onnx.data")]
    [DataRow("..\\model.onnx.data")]
    [DataRow("/etc/passwd")]
    [DataRow("C:\\weights\\model.onnx.data")]
    public void ExternalDataLocationsOutsideTheModelsDirectoryAreRejected(string location)
    {
        using var directory = new TemporaryDirectory();
        var path = SaveWithExternalWeight(directory);
        RewriteLocations(path, location);

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(path));

        StringAssert.Contains(error.Message, $"Tensor 'W' in file '{path}' has external data location '{location}'");
        StringAssert.Contains(error.Message, "not a relative path inside the model's directory");
    }

    [TestMethod]
    public void ExternalDataLetsAModelOverTheSizeLimitBeSaved()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        var model = GemmReluModel.Create(InFeatures, OutFeatures);
        // Tests cannot allocate 2 GiB, so the limit is lowered below the embedded size (about 7.6 KB).
        const long limit = 2000;

        Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelWriter.Save(model, path, null, limit));
        OnnxModelWriter.Save(model, path, new OnnxSaveOptions { ExternalData = true }, limit);

        Assert.IsLessThan(limit, new FileInfo(path).Length);
        CollectionAssert.AreEqual(model.ToByteArray(), OnnxModel.Load(path).ToBytes());
    }

    [TestMethod]
    public void ExternalDataStillOverTheLimitSuggestsALowerThreshold()
    {
        using var directory = new TemporaryDirectory();
        var model = GemmReluModel.Create(InFeatures, OutFeatures);
        var options = new OnnxSaveOptions { ExternalData = true, ExternalDataThreshold = 10_000 };

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelWriter.Save(model, directory.File("model.onnx"), options, 2000));

        StringAssert.Contains(error.Message, "Lower OnnxSaveOptions.ExternalDataThreshold (now 10000 bytes)");
        Assert.IsEmpty(directory.FileNames());
    }

    [TestMethod]
    [DataRow("sub/weights.bin")]
    [DataRow("..")]
    [DataRow("model.onnx")]
    public void ExternalDataFileNameMustBeAPlainNameOtherThanTheModels(string fileName)
    {
        using var directory = new TemporaryDirectory();
        var model = new OnnxModel(GemmReluModel.Create());

        Assert.ThrowsExactly<ArgumentException>(
            () => model.Save(directory.File("model.onnx"), new OnnxSaveOptions { ExternalData = true, ExternalDataFileName = fileName }));

        Assert.IsEmpty(directory.FileNames());
    }

    private static string SaveWithExternalWeight(TemporaryDirectory directory)
    {
        var path = directory.File("model.onnx");
        new OnnxModel(GemmReluModel.Create(InFeatures, OutFeatures)).Save(path, new OnnxSaveOptions { ExternalData = true });
        return path;
    }

    private static void RewriteLocations(string path, string location) => RewriteEntry(path, "location", location);

    private static void RewriteEntry(string path, string key, string value)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        foreach (var entry in model.Graph.Initializer.SelectMany(t => t.ExternalData).Where(e => e.Key == key))
        {
            entry.Value = value;
        }

        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static void AssertExternal(TensorProto tensor, string location, long offset, long length)
    {
        Assert.AreEqual(DataLocation.External, tensor.DataLocation, tensor.Name);
        Assert.IsFalse(tensor.HasRawData, tensor.Name);
        Assert.AreEqual(0, offset % 64, "offsets are 64-byte aligned");
        var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        Assert.AreEqual(location, entries["location"]);
        Assert.AreEqual(offset.ToString(System.Globalization.CultureInfo.InvariantCulture), entries["offset"]);
        Assert.AreEqual(length.ToString(System.Globalization.CultureInfo.InvariantCulture), entries["length"]);
    }
}

using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Tests.Onnx;

[TestClass]
public sealed class InitializerAccessTests
{
    private static readonly float[] Values = [1.5f, -2.25f, 0f, 3.125e-3f, -7e8f, float.Epsilon];

    [TestMethod]
    public void RawDataAndFloatDataFormsReadIdentically()
    {
        var raw = FloatTensorProto.Create("w", [2, 3], Values);
        var typed = new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { 2, 3 }, FloatData = { Values } };

        var fromRaw = FloatTensorProto.Read(raw);
        var fromTyped = FloatTensorProto.Read(typed);

        Assert.AreEqual("w", fromRaw.Name);
        CollectionAssert.AreEqual(new[] { 2, 3 }, fromRaw.Shape.ToArray());
        Assert.AreEqual(2, fromRaw.Rank);
        CollectionAssert.AreEqual(Values, fromRaw.Data);
        CollectionAssert.AreEqual(fromRaw.Shape.ToArray(), fromTyped.Shape.ToArray());
        CollectionAssert.AreEqual(fromRaw.Data, fromTyped.Data);
    }

    [TestMethod]
    public void CreateWritesLittleEndianRawData()
    {
        var tensor = FloatTensorProto.Create("w", [2L, 1L], [1f, -2f]);

        Assert.AreEqual((int)DataType.Float, tensor.DataType);
        CollectionAssert.AreEqual(new long[] { 2, 1 }, tensor.Dims.ToArray());
        CollectionAssert.AreEqual(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 }, tensor.RawData.ToByteArray());
        Assert.IsEmpty(tensor.FloatData);
    }

    [TestMethod]
    public void ToTensorProtoRoundTripsThroughRead()
    {
        var data = new FloatTensorData("k", [1, 2, 3], [.. Values]);

        var back = FloatTensorProto.Read(data.ToTensorProto());

        Assert.AreEqual("k", back.Name);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, back.Shape.ToArray());
        CollectionAssert.AreEqual(Values, back.Data);
    }

    [TestMethod]
    public void DoubleInitializersAreReadAsFloats()
    {
        double[] doubles = [0.1, -1e-3, 12345.678];
        var typed = new TensorProto { Name = "d", DataType = (int)DataType.Double, Dims = { 3 }, DoubleData = { doubles } };
        var raw = new TensorProto
        {
            Name = "d",
            DataType = (int)DataType.Double,
            Dims = { 3 },
            RawData = ByteString.CopyFrom(doubles.SelectMany(BitConverter.GetBytes).ToArray()),
        };

        var expected = doubles.Select(d => (float)d).ToArray();
        CollectionAssert.AreEqual(expected, FloatTensorProto.Read(typed).Data);
        CollectionAssert.AreEqual(expected, FloatTensorProto.Read(raw).Data);
    }

    [TestMethod]
    public void ScalarAndEmptyTensorsAreRead()
    {
        var scalar = FloatTensorProto.Read(FloatTensorProto.Create("s", ReadOnlySpan<int>.Empty, [4f]));
        var empty = FloatTensorProto.Read(new TensorProto { Name = "e", DataType = (int)DataType.Float, Dims = { 0, 5 } });

        Assert.AreEqual(0, scalar.Rank);
        CollectionAssert.AreEqual(new[] { 4f }, scalar.Data);
        CollectionAssert.AreEqual(new[] { 0, 5 }, empty.Shape.ToArray());
        Assert.IsEmpty(empty.Data);
    }

    [TestMethod]
    public void GetInitializerReadsTheGraphsWeights()
    {
        var model = new OnnxModel(GemmReluModel.Create());

        var weight = model.GetInitializer(GemmReluModel.WeightName);

        CollectionAssert.AreEqual(new[] { 3, 4 }, weight.Shape.ToArray());
        CollectionAssert.AreEqual(GemmReluModel.Weight(4, 3), weight.Data);
        Assert.IsTrue(model.TryGetInitializer(GemmReluModel.BiasName, out var bias));
        CollectionAssert.AreEqual(GemmReluModel.Bias(3), bias.Data);
    }

    [TestMethod]
    public void MissingInitializerIsReportedByName()
    {
        var model = new OnnxModel(GemmReluModel.Create());

        Assert.IsFalse(model.TryGetInitializer("conv1.weight", out var tensor));
        Assert.IsNull(tensor);
        var error = Assert.ThrowsExactly<KeyNotFoundException>(() => model.GetInitializer("conv1.weight"));
        Assert.AreEqual("Graph 'gemm_relu' has no initializer named 'conv1.weight'.", error.Message);
    }

    [TestMethod]
    public void NonFloatInitializerIsRejectedNamingTheTensorAndItsType()
    {
        var proto = GemmReluModel.Create();
        proto.Graph.Initializer.Add(new TensorProto { Name = "shape", DataType = (int)DataType.Int64, Dims = { 2 }, Int64Data = { -1, 12 } });
        proto.Graph.Initializer.Add(new TensorProto { Name = "future", DataType = 99, Dims = { 1 }, RawData = ByteString.CopyFrom(1) });
        var model = new OnnxModel(proto);

        var int64 = Assert.ThrowsExactly<OnnxModelException>(() => model.GetInitializer("shape"));
        var unknown = Assert.ThrowsExactly<OnnxModelException>(() => model.TryGetInitializer("future", out _));

        Assert.AreEqual("Tensor 'shape' has element type INT64; only FLOAT and DOUBLE tensors can be read as float data.", int64.Message);
        StringAssert.Contains(unknown.Message, "Tensor 'future' has element type number 99");
    }

    [TestMethod]
    public void ElementCountThatDoesNotMatchTheShapeIsRejectedNamingTheTensor()
    {
        var shortRaw = FloatTensorProto.Create("w", [11], new float[11]);
        shortRaw.Dims[0] = 12;
        var shortTyped = new TensorProto { Name = "v", DataType = (int)DataType.Float, Dims = { 2, 2 }, FloatData = { 1f, 2f, 3f } };
        var both = new TensorProto { Name = "u", DataType = (int)DataType.Float, Dims = { 1 }, FloatData = { 1f }, RawData = ByteString.CopyFrom(0, 0, 0, 0) };
        var negative = new TensorProto { Name = "n", DataType = (int)DataType.Float, Dims = { -1 } };

        var raw = Assert.ThrowsExactly<OnnxModelException>(() => FloatTensorProto.Read(shortRaw));
        var typed = Assert.ThrowsExactly<OnnxModelException>(() => FloatTensorProto.Read(shortTyped));
        var twice = Assert.ThrowsExactly<OnnxModelException>(() => FloatTensorProto.Read(both));
        var invalid = Assert.ThrowsExactly<OnnxModelException>(() => FloatTensorProto.Read(negative));

        Assert.AreEqual("Tensor 'w' has shape [12] (12 elements) but its raw_data holds 44 bytes, i.e. 11 FLOAT elements.", raw.Message);
        Assert.AreEqual("Tensor 'v' has shape [2,2] (4 elements) but its float_data holds 3 values.", typed.Message);
        StringAssert.Contains(twice.Message, "Tensor 'u' holds elements in both raw_data and float_data");
        StringAssert.Contains(invalid.Message, "Tensor 'n' has an invalid size -1 in shape [-1]");
    }

    [TestMethod]
    public void InitializerWithUnreadExternalDataIsRejectedNamingTheTensor()
    {
        var tensor = new TensorProto
        {
            Name = "w",
            DataType = (int)DataType.Float,
            Dims = { 1 },
            DataLocation = TensorProto.Types.DataLocation.External,
            ExternalData = { new StringStringEntryProto { Key = "location", Value = "w.bin" } },
        };

        var error = Assert.ThrowsExactly<OnnxModelException>(() => FloatTensorProto.Read(tensor));

        StringAssert.StartsWith(error.Message, "Tensor 'w' keeps its data in an external file that has not been read");
    }

    [TestMethod]
    public void CreateRejectsShapesThatDoNotFitTheData()
    {
        Assert.ThrowsExactly<ArgumentException>(() => FloatTensorProto.Create("w", [2, 2], new float[3]));
        Assert.ThrowsExactly<ArgumentException>(() => FloatTensorProto.Create("w", [-1L], new float[1]));
        Assert.ThrowsExactly<ArgumentException>(() => FloatTensorProto.Create("w", [1L << 40], new float[1]));
        Assert.ThrowsExactly<ArgumentException>(() => new FloatTensorData("w", [3], new float[2]));
    }
}

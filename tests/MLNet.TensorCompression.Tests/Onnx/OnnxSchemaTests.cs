using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Onnx;

/// <summary>Checks that the compiled schema produces ONNX's wire format and keeps what it does not declare.</summary>
[TestClass]
public sealed class OnnxSchemaTests
{
    [TestMethod]
    public void UnknownFieldsSurviveALoadSaveRoundTrip()
    {
        // A field the schema does not declare, inside a tensor (nested) and at the top level:
        // field 20 of ModelProto is ONNX's training_info, which this schema leaves out.
        var weightBytes = Concat(GemmReluModel.Create().Graph.Initializer[0].ToByteArray(), UnknownField(1000, "tensor extra"));
        var proto = GemmReluModel.Create();
        proto.Graph.Initializer[0] = TensorProto.Parser.ParseFrom(weightBytes);
        var bytes = Concat(proto.ToByteArray(), UnknownField(20, "training info"));

        using var directory = new TemporaryDirectory();
        var path = directory.File("model.onnx");
        OnnxModel.Load(bytes).Save(path);
        var reloaded = OnnxModel.Load(path);

        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(bytes, reloaded.ToBytes());
        CollectionAssert.AreEqual(weightBytes, reloaded.Graph.Initializer[0].ToByteArray());
        CollectionAssert.AreEqual(bytes, reloaded.Clone().ToBytes());
    }

    [TestMethod]
    public void FieldsSetToTheirDefaultValueAreKept()
    {
        // proto2 keeps presence: an attribute explicitly set to 0 and an explicitly empty domain are written.
        var proto = GemmReluModel.Create();
        proto.Graph.Node[0].Attribute[0].I = 0;
        proto.Graph.Node[0].Domain = "";

        var reloaded = OnnxModel.Load(proto.ToByteArray());

        Assert.IsTrue(reloaded.Graph.Node[0].Attribute[0].HasI);
        Assert.IsTrue(reloaded.Graph.Node[0].HasDomain);
        Assert.IsFalse(reloaded.Graph.Node[1].HasDomain);
        Assert.IsFalse(reloaded.Proto.HasModelVersion);
    }

    [TestMethod]
    public void FieldNumbersMatchTheOnnxSpecification()
    {
        // Tag byte = field number << 3 | wire type (0 varint, 2 length-delimited).
        Assert.AreEqual(0x08, new ModelProto { IrVersion = 8 }.ToByteArray()[0], "ModelProto.ir_version = 1");
        Assert.AreEqual(0x3A, new ModelProto { Graph = new GraphProto() }.ToByteArray()[0], "ModelProto.graph = 7");
        CollectionAssert.AreEqual(new byte[] { 0xCA, 0x01, 0x00 }, Serialized(m => m.Functions.Add(new FunctionProto())), "ModelProto.functions = 25");
        Assert.AreEqual(0x4A, new TensorProto { RawData = ByteString.CopyFrom(1) }.ToByteArray()[0], "TensorProto.raw_data = 9");
        Assert.AreEqual(0x70, new TensorProto { DataLocation = TensorProto.Types.DataLocation.External }.ToByteArray()[0], "TensorProto.data_location = 14");
        Assert.AreEqual(0xAA, new AttributeProto { RefAttrName = "a" }.ToByteArray()[0], "AttributeProto.ref_attr_name = 21");
        Assert.AreEqual(0xA0, new AttributeProto { Type = AttributeProto.Types.AttributeType.Ints }.ToByteArray()[0], "AttributeProto.type = 20");
        Assert.AreEqual(0x42, new NodeProto { Overload = "o" }.ToByteArray()[0], "NodeProto.overload = 8");
        Assert.AreEqual(0x6A, new FunctionProto { Overload = "o" }.ToByteArray()[0], "FunctionProto.overload = 13");
        Assert.AreEqual(0x5A, new FunctionProto { AttributeProto = { new AttributeProto() } }.ToByteArray()[0], "FunctionProto.attribute_proto = 11");
        Assert.AreEqual(0x12, new TensorShapeProto.Types.Dimension { DimParam = "N" }.ToByteArray()[0], "Dimension.dim_param = 2");
        Assert.AreEqual(0x7A, new GraphProto { SparseInitializer = { new SparseTensorProto() } }.ToByteArray()[0], "GraphProto.sparse_initializer = 15");
    }

    private static byte[] Serialized(Action<ModelProto> build)
    {
        var model = new ModelProto();
        build(model);
        return model.ToByteArray();
    }

    private static byte[] UnknownField(int fieldNumber, string value)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(fieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Concat(byte[] first, byte[] second) => [.. first, .. second];
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>Issue 13 item 5: a graph ONNX Runtime could not load fails on load, naming the node or tensor.</summary>
[TestClass]
public sealed class GraphValidationTests
{
    private static OnnxModelException LoadFails(OnnxModel model) =>
        Assert.ThrowsExactly<OnnxModelException>(() => OnnxModel.Load(Google.Protobuf.MessageExtensions.ToByteArray(model.Proto)));

    [TestMethod]
    public void ACycleIsRejectedNamingTheNode()
    {
        // relu reads what 'out' writes, and 'out' reads what relu writes.
        var model = TinyModels.Broken(m => m.Graph.Node.Single(n => n.Name == "relu").Input[0] = "y");
        var problem = LoadFails(model);
        StringAssert.Contains(problem.Message, "node 'relu' (Relu) reads 'y' before node 'out' produces it");
    }

    [TestMethod]
    public void AnInputNothingProducesIsRejected()
    {
        var problem = LoadFails(TinyModels.Broken(m => m.Graph.Node.Single(n => n.Name == "relu").Input[0] = "nowhere"));
        StringAssert.Contains(problem.Message, "node 'relu' (Relu) reads 'nowhere', which no graph input, initializer or node produces");
    }

    [TestMethod]
    public void ATensorWrittenTwiceIsRejected()
    {
        var problem = LoadFails(TinyModels.Broken(m => m.Graph.Node.Single(n => n.Name == "relu").Output[0] = "h"));
        StringAssert.Contains(problem.Message, "node 'relu' (Relu) writes 'h', which is already written by another node");
    }

    [TestMethod]
    public void AGraphOutputNothingProducesIsRejected()
    {
        var problem = LoadFails(TinyModels.Broken(m => m.Graph.Output[0].Name = "ghost"));
        StringAssert.Contains(problem.Message, "graph output 'ghost' is produced by no node");
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(999L)]
    public void AnUnknownDefaultDomainOpsetIsRejected(long version)
    {
        var problem = LoadFails(TinyModels.Broken(m => m.OpsetImport.Single(o => o.Domain == "").Version = version));
        StringAssert.Contains(problem.Message, $"imports opset {version} of the default ONNX domain; known opsets are 1 to {GraphValidator.MaxStandardOpset}");
    }

    [TestMethod]
    public void AWeightThatDeclaresElementsButHoldsNoDataIsRejected()
    {
        var problem = LoadFails(TinyModels.Broken(m => m.Graph.Initializer.Add(
            new TensorProto { Name = "huge", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 65536, 65536 } })));
        StringAssert.Contains(problem.Message, "initializer 'huge' declares shape [65536,65536] (4294967296 elements) but holds no data");
    }

    [TestMethod]
    public void ASubgraphMayReadOuterScopeNamesAndItsOwnInputs()
    {
        var branch = new GraphProto { Name = "branch" };
        branch.Node.Add(new NodeProto { OpType = "Identity", Name = "inner", Input = { "r" }, Output = { "r_copy" } });
        branch.Output.Add(new ValueInfoProto { Name = "r_copy", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var model = TinyModels.Classifier(g => g
            .TypedInput("flag", TensorProto.Types.DataType.Bool).Output("picked")
            .Node("If", "choose", ["flag"], ["picked"],
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch },
                new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch }));

        var loaded = OnnxModel.Load(Google.Protobuf.MessageExtensions.ToByteArray(model.Proto));

        Assert.AreEqual(4, loaded.Graph.Node.Count);
    }

    [TestMethod]
    public void ASubgraphReadingANameDefinedNowhereIsRejectedNamingTheBody()
    {
        var branch = new GraphProto { Name = "branch" };
        branch.Node.Add(new NodeProto { OpType = "Identity", Name = "inner", Input = { "nowhere" }, Output = { "copy" } });
        branch.Output.Add(new ValueInfoProto { Name = "copy" });
        var model = TinyModels.Classifier(g => g
            .TypedInput("flag", TensorProto.Types.DataType.Bool).Output("picked")
            .Node("If", "choose", ["flag"], ["picked"], new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch }));

        var problem = LoadFails(model);

        StringAssert.Contains(problem.Message, "node 'choose' attribute 'then_branch', graph 'branch': node 'inner' (Identity) reads 'nowhere'");
    }

    [TestMethod]
    public void EverySampleModelAndEveryCompressedFormStillLoads()
    {
        foreach (var path in TestModels.All())
        {
            var model = OnnxModel.Load(path);
            foreach (var inline in path.Contains("lenet", StringComparison.Ordinal) ? new[] { false, true } : [false])
            {
                var compressed = OnnxModelCompressor.Compress(model, new CompressionOptions { MaxRank = 4, Inline = inline }).Model;
                OnnxModel.Load(compressed.ToBytes());
            }
        }
    }
}

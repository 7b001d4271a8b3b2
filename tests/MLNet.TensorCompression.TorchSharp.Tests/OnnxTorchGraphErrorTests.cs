using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;
using static MLNet.TensorCompression.TorchSharp.Tests.TinyModels;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Graphs the executor cannot run fail at Create, with a message that names what and where.</summary>
[TestClass]
public sealed class OnnxTorchGraphErrorTests
{
    [TestMethod]
    public void UnsupportedOpsAreAllListedWithTheirNodes()
    {
        var model = Model(13, [1, 3, 4],
        [
            Node("Erf", ["x"], ["e"]),
            Node("LSTM", ["e", "w", "r"], ["h"], Int("hidden_size", 2)),
            Node("Relu", ["h"], ["y"]),
        ],
        [RandomFloats("w", 1, 1, 8, 4), RandomFloats("r", 2, 1, 8, 2)]);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxTorchGraph.Create(new OnnxModel(model), trainFactors: false));
        Assert.Contains("Erf (node 'erf_e')", error.Message);
        Assert.Contains("LSTM (node 'lstm_h')", error.Message);
        Assert.DoesNotContain("Relu", error.Message);
    }

    [TestMethod]
    public void UnsupportedOpInsideAFunctionNamesTheFunction()
    {
        var function = new FunctionProto { Name = "Odd", Domain = "test.domain" };
        function.Input.Add("a");
        function.Output.Add("b");
        function.Node.Add(Node("Erf", ["a"], ["b"]));
        function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var call = Node("Odd", ["x"], ["t"]);
        call.Domain = "test.domain";
        var model = Model(13, [1, 4], [call, Node("Unknown", ["t"], ["y"])], functions: [function]);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxTorchGraph.Create(new OnnxModel(model), trainFactors: false));
        Assert.Contains("Erf (node 'erf_b' in function 'test.domain:Odd')", error.Message);
        Assert.Contains("Unknown (node 'unknown_y')", error.Message);
    }

    [TestMethod]
    public void NonFloatInputIsNamed()
    {
        var model = Model(13, [1, 4], [Node("Relu", ["x"], ["y"])]);
        model.Graph.Input[0].Type.TensorType.ElemType = (int)DataType.Int32;
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxTorchGraph.Create(new OnnxModel(model), trainFactors: false));
        Assert.Contains("'x'", error.Message);
        Assert.Contains("INT32", error.Message);
    }

    [TestMethod]
    public void DoubleInitializerIsNamed()
    {
        var weight = new TensorProto { Name = "w", DataType = (int)DataType.Double };
        weight.Dims.Add(4);
        weight.DoubleData.Add([1, 2, 3, 4]);
        var model = Model(13, [1, 4], [Node("Mul", ["x", "w"], ["y"])], [weight]);
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxTorchGraph.Create(new OnnxModel(model), trainFactors: false));
        Assert.Contains("initializer 'w'", error.Message);
        Assert.Contains("DOUBLE", error.Message);
    }

    [TestMethod]
    public void SecondGraphInputIsRejected()
    {
        var model = Model(13, [1, 4], [Node("Add", ["x", "z"], ["y"])]);
        model.Graph.Input.Add(Value("z", DataType.Float, [1, 4]));
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxTorchGraph.Create(new OnnxModel(model), trainFactors: false));
        Assert.Contains("'x', 'z'", error.Message);
    }
}

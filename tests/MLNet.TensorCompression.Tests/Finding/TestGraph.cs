using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>Builds small ONNX graphs in code (IR version 8, opset 17): FLOAT inputs and outputs, initializers, nodes.</summary>
internal sealed class TestGraph
{
    /// <summary>In an input shape, a symbolic dimension "N".</summary>
    public const long Batch = -1;

    private readonly GraphProto graph = new() { Name = "finder_test" };

    /// <summary>Adds a FLOAT graph input; <see cref="Batch"/> marks a symbolic dimension.</summary>
    public TestGraph Input(string name, params long[] shape) => Value(graph.Input, name, DataType.Float, shape);

    /// <summary>Adds a graph input of another element type.</summary>
    public TestGraph TypedInput(string name, DataType elementType, params long[] shape) => Value(graph.Input, name, elementType, shape);

    /// <summary>Adds a FLOAT graph output with no declared shape.</summary>
    public TestGraph Output(string name)
    {
        graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } },
        });
        return this;
    }

    /// <summary>Declares the shape of an intermediate tensor in value_info.</summary>
    public TestGraph DeclaredShape(string name, params long[] shape) => Value(graph.ValueInfo, name, DataType.Float, shape);

    /// <summary>Adds a FLOAT initializer.</summary>
    public TestGraph Initializer(string name, int[] shape, float[] data)
    {
        graph.Initializer.Add(FloatTensorProto.Create(name, shape, data));
        return this;
    }

    /// <summary>Adds any initializer.</summary>
    public TestGraph Initializer(TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>Adds a node of the default domain.</summary>
    public TestGraph Node(string opType, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        graph.Node.Add(node);
        return this;
    }

    /// <summary>Adds a Constant node holding a FLOAT tensor.</summary>
    public TestGraph Constant(string output, int[] shape, float[] data) =>
        Node("Constant", output + "_node", [], [output], Tensor("value", FloatTensorProto.Create("", shape, data)));

    /// <summary>The model, wrapping a fresh copy of the graph.</summary>
    public OnnxModel Build()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "MLNet.TensorCompression.Tests", Graph = graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return new OnnxModel(model);
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeType.Ints, Ints = { values } };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeType.Tensor, T = value };

    /// <summary>Deterministic values in [-1, 1).</summary>
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
    }

    private TestGraph Value(ICollection<ValueInfoProto> list, string name, DataType elementType, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (var size in shape)
        {
            tensorShape.Dim.Add(size == Batch
                ? new TensorShapeProto.Types.Dimension { DimParam = "N" }
                : new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        list.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = tensorShape } },
        });
        return this;
    }
}

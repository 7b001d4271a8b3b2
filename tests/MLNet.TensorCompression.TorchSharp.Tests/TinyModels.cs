using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Finding;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// Builds small ONNX models by hand: one float input "x", one float output "y", any opset, optional functions. Attribute
/// makers are the core suite's <see cref="TestGraph"/> ones.
/// </summary>
internal static class TinyModels
{
    public static ModelProto Model(long opset, long[] inputShape, IEnumerable<NodeProto> nodes, IEnumerable<TensorProto>? initializers = null, IEnumerable<FunctionProto>? functions = null)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", DataType.Float, inputShape));
        graph.Output.Add(Value("y", DataType.Float, null));
        graph.Node.Add(nodes);
        if (initializers is not null) graph.Initializer.Add(initializers);
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "tests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        if (functions is not null)
        {
            model.Functions.Add(functions);
            foreach (var domain in functions.Select(f => f.Domain).Distinct()) model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        }

        return model;
    }

    public static ValueInfoProto Value(string name, DataType type, long[]? shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            foreach (var size in shape) tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    public static NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        return node;
    }

    public static AttributeProto Reference(string name, string callerName, AttributeType type) =>
        new() { Name = name, RefAttrName = callerName, Type = type };

    /// <summary>A FLOAT initializer of seeded random values in [-1, 1).</summary>
    public static TensorProto RandomFloats(string name, int seed, params long[] shape) =>
        FloatTensorProto.Create(name, shape, TestGraph.Values((int)shape.Aggregate(1L, (p, s) => p * s), seed));

    public static TensorProto Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.Add(values);
        return tensor;
    }

    /// <summary>Seeded random input values for a shape.</summary>
    public static float[] RandomInput(long[] shape, int seed = 1)
    {
        var random = new Random(seed);
        var data = new float[shape.Aggregate(1L, (p, s) => p * s)];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 4 - 2);
        return data;
    }
}

using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>Small ONNX models built around emitted layers (IR 10, opset 17 plus the custom domain).</summary>
internal static class LayerModels
{
    /// <summary>
    /// A model running the given layers one after another (each reads the previous one's output); the graph input and
    /// output get the given shapes, null marking a symbolic dimension. Functions are deduplicated by (domain, name, overload).
    /// </summary>
    public static ModelProto Wrap(IReadOnlyList<(LayerEmission Emission, CompressibleLayer Layer)> layers, long?[] inputShape, long?[] outputShape)
    {
        var graph = new GraphProto { Name = "layers" };
        graph.Input.Add(FloatValue(layers[0].Layer.InputName, inputShape));
        graph.Output.Add(FloatValue(layers[^1].Layer.OutputName, outputShape));
        var model = NewModel(graph);
        foreach (var (emission, _) in layers)
        {
            graph.Node.Add(emission.Nodes);
            graph.Initializer.Add(emission.Initializers);
            foreach (var function in emission.Functions)
            {
                if (!model.Functions.Any(f => f.Domain == function.Domain && f.Name == function.Name && f.Overload == function.Overload))
                    model.Functions.Add(function);
            }
        }
        return model;
    }

    /// <summary>A model running one emitted layer.</summary>
    public static ModelProto Wrap(LayerEmission emission, CompressibleLayer layer, long?[] inputShape, long?[] outputShape) =>
        Wrap([(emission, layer)], inputShape, outputShape);

    /// <summary>The original convolution as a plain Conv model over the given kernel, with the layer's bias and attributes.</summary>
    public static ModelProto DenseConv(CompressibleLayer layer, float[] kernel)
    {
        var graph = new GraphProto { Name = "dense_conv" };
        graph.Input.Add(FloatValue(layer.InputName, [null, layer.InputSize, null, null]));
        graph.Output.Add(FloatValue(layer.OutputName, [null, layer.OutputSize, null, null]));
        graph.Initializer.Add(FloatTensorProto.Create("kernel", layer.Weight.Shape.ToArray(), kernel));
        var conv = new NodeProto { Name = "conv", OpType = "Conv" };
        conv.Input.Add([layer.InputName, "kernel"]);
        if (layer.Bias is not null)
        {
            graph.Initializer.Add(FloatTensorProto.Create("bias", [layer.OutputSize], layer.Bias));
            conv.Input.Add("bias");
        }
        conv.Output.Add(layer.OutputName);
        conv.Attribute.Add(layer.ConvolutionAttributes.Select(a => a.Clone()));
        graph.Node.Add(conv);
        return NewModel(graph);
    }

    private static ModelProto NewModel(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = FactorizedLayerEmitter.RequiredIrVersion, ProducerName = "MLNet.TensorCompression.Tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = FactorizedLayerEmitter.DefaultStandardOpset });
        model.OpsetImport.Add(TensorCompressionDomain.Opset);
        return model;
    }

    private static ValueInfoProto FloatValue(string name, long?[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (int i = 0; i < shape.Length; i++)
        {
            tensorShape.Dim.Add(shape[i] is long size
                ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_d{i}" });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }
}

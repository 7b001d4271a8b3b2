using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// A model holding one layer, dense or in one execution form, that reads the layer's input with a symbolic batch axis
/// (the rest of <see cref="CompressibleLayer.InputShape"/>): what the latency objective times in ONNX Runtime.
/// </summary>
internal static class SingleLayerModel
{
    private const string DenseWeight = "weight";
    private const string DenseBias = "bias";

    /// <summary>The layer as the original op on its dense weight: Conv, Gemm (transB = 1), or MatMul (+ Add for a bias).</summary>
    /// <exception cref="ArgumentException">The layer's input shape is not known.</exception>
    public static OnnxModel Dense(CompressibleLayer layer, int standardOpset)
    {
        var initializers = new List<TensorProto>();
        var nodes = new List<NodeProto>();
        if (layer.Kind == LayerKind.Convolution)
        {
            initializers.Add(FloatTensorProto.Create(DenseWeight, layer.Weight.Shape.ToArray(), layer.Weight.Data));
            var conv = Node("Conv", "conv", layer.OutputName, layer.InputName, DenseWeight);
            conv.Attribute.Add(layer.ConvolutionAttributes.Select(a => a.Clone()));
            AddBias(conv, [layer.OutputSize]);
            nodes.Add(conv);
        }
        else if (LinearLayerFrame.UsesGemm(layer))
        {
            initializers.Add(FloatTensorProto.Create(DenseWeight, layer.Weight.Shape.ToArray(), layer.Weight.Data));
            var gemm = Node("Gemm", "gemm", layer.OutputName, layer.InputName, DenseWeight);
            gemm.Attribute.Add(OnnxAttributes.Int("transB", 1));
            AddBias(gemm, [layer.OutputSize]);
            nodes.Add(gemm);
        }
        else
        {
            // MatMul(W, x) for W·x, else MatMul(x, Wᵀ); the bias as a separate Add, as MatMul layers have it.
            initializers.Add(layer.WeightOnLeft
                ? FloatTensorProto.Create(DenseWeight, layer.Weight.Shape.ToArray(), layer.Weight.Data)
                : FloatTensorProto.Create(DenseWeight, [layer.InputSize, layer.OutputSize], Transposed(layer)));
            string product = layer.Bias is null ? layer.OutputName : "product";
            nodes.Add(layer.WeightOnLeft ? Node("MatMul", "matmul", product, DenseWeight, layer.InputName) : Node("MatMul", "matmul", product, layer.InputName, DenseWeight));
            if (layer.Bias is not null)
            {
                initializers.Add(FloatTensorProto.Create(DenseBias, layer.WeightOnLeft ? new[] { layer.OutputSize, 1 } : [layer.OutputSize], layer.Bias));
                nodes.Add(Node("Add", "bias", layer.OutputName, product, DenseBias));
            }
        }
        return Wrap(layer, nodes, initializers, [], standardOpset);

        void AddBias(NodeProto node, int[] shape)
        {
            if (layer.Bias is null) return;
            initializers.Add(FloatTensorProto.Create(DenseBias, shape, layer.Bias));
            node.Input.Add(DenseBias);
        }
    }

    /// <summary>The layer in <paramref name="mode"/> (Factorized or Reconstructed), written as the compressed model writes it.</summary>
    /// <exception cref="ArgumentException">The layer's input shape is not known, or the mode is Auto.</exception>
    public static OnnxModel Factorized(FactorizedWeight weight, LayerExecutionMode mode, bool inline, int standardOpset)
    {
        var emission = FactorizedLayerEmitter.Emit(weight, mode, inline, "layer", standardOpset);
        return Wrap(weight.Layer, emission.Nodes, emission.Initializers, emission.Functions, standardOpset);
    }

    private static OnnxModel Wrap(CompressibleLayer layer, IReadOnlyList<NodeProto> nodes, IReadOnlyList<TensorProto> initializers, IReadOnlyList<FunctionProto> functions, int standardOpset)
    {
        var inputShape = layer.InputShape ?? throw new ArgumentException($"Layer '{layer.Name}': the shape of its input '{layer.InputName}' is not known, so it cannot be run alone.", nameof(layer));
        var graph = new GraphProto { Name = "layer" };
        graph.Input.Add(FloatValue(layer.InputName, inputShape.Skip(1).Select(size => (long?)size).Prepend(null)));
        graph.Output.Add(FloatValue(layer.OutputName, null));
        graph.Node.Add(nodes);
        graph.Initializer.Add(initializers);
        var model = new ModelProto { IrVersion = FactorizedLayerEmitter.RequiredIrVersion, ProducerName = "MLNet.TensorCompression", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = standardOpset });
        if (functions.Count > 0)
        {
            model.OpsetImport.Add(TensorCompressionDomain.Opset);
            model.Functions.Add(functions);
        }
        return new OnnxModel(model);
    }

    private static NodeProto Node(string opType, string name, string output, params string[] inputs)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static float[] Transposed(CompressibleLayer layer)
    {
        int rows = layer.OutputSize, columns = layer.InputSize;
        var weight = layer.Weight.Data;
        var transposed = new float[weight.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                transposed[(long)j * rows + i] = weight[(long)i * columns + j];
        return transposed;
    }

    /// <summary>A float tensor value; null sizes are symbolic, and a null shape leaves the shape out.</summary>
    private static ValueInfoProto FloatValue(string name, IEnumerable<long?>? shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            tensor.Shape.Dim.Add(shape.Select(size => size is { } fixedSize
                ? new TensorShapeProto.Types.Dimension { DimValue = fixedSize }
                : new TensorShapeProto.Types.Dimension { DimParam = "batch" }));
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}

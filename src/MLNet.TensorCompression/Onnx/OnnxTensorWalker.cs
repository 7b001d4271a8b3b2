using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Finds every <see cref="TensorProto"/> in a model: initializers, the parts of sparse
/// initializers, and tensors held in node attributes, including those inside subgraphs and
/// model-local functions.
/// </summary>
internal static class OnnxTensorWalker
{
    /// <summary>Returns all tensors of <paramref name="model"/>, in document order.</summary>
    public static List<TensorProto> AllTensors(ModelProto model)
    {
        var tensors = new List<TensorProto>();
        if (model.Graph is not null)
        {
            AddGraph(model.Graph, tensors);
        }

        foreach (var function in model.Functions)
        {
            foreach (var node in function.Node)
            {
                AddNode(node, tensors);
            }

            foreach (var attribute in function.AttributeProto)
            {
                AddAttribute(attribute, tensors);
            }
        }

        return tensors;
    }

    private static void AddGraph(GraphProto graph, List<TensorProto> tensors)
    {
        tensors.AddRange(graph.Initializer);
        foreach (var sparse in graph.SparseInitializer)
        {
            AddSparse(sparse, tensors);
        }

        foreach (var node in graph.Node)
        {
            AddNode(node, tensors);
        }
    }

    private static void AddNode(NodeProto node, List<TensorProto> tensors)
    {
        foreach (var attribute in node.Attribute)
        {
            AddAttribute(attribute, tensors);
        }
    }

    private static void AddAttribute(AttributeProto attribute, List<TensorProto> tensors)
    {
        if (attribute.T is not null)
        {
            tensors.Add(attribute.T);
        }

        tensors.AddRange(attribute.Tensors);
        if (attribute.SparseTensor is not null)
        {
            AddSparse(attribute.SparseTensor, tensors);
        }

        foreach (var sparse in attribute.SparseTensors)
        {
            AddSparse(sparse, tensors);
        }

        if (attribute.G is not null)
        {
            AddGraph(attribute.G, tensors);
        }

        foreach (var graph in attribute.Graphs)
        {
            AddGraph(graph, tensors);
        }
    }

    private static void AddSparse(SparseTensorProto sparse, List<TensorProto> tensors)
    {
        if (sparse.Values is not null)
        {
            tensors.Add(sparse.Values);
        }

        if (sparse.Indices is not null)
        {
            tensors.Add(sparse.Indices);
        }
    }
}

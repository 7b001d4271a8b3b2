using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Who reads and who writes each tensor of a graph: the nodes consuming it, the node producing it, and whether it is a
/// graph output. A node whose subgraphs (If, Loop, Scan bodies) mention a tensor counts as one of its consumers, since
/// those bodies may read outer-scope tensors by name.
/// </summary>
internal sealed class GraphUsage
{
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly HashSet<string> graphOutputs;

    public GraphUsage(GraphProto graph)
    {
        graphOutputs = graph.Output.Select(output => output.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var name in node.Input.Concat(SubgraphInputs(node)).Where(name => name.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (!this.consumers.TryGetValue(name, out var consumers))
                {
                    consumers = [];
                    this.consumers.Add(name, consumers);
                }

                consumers.Add(node);
            }

            foreach (var name in node.Output.Where(name => name.Length > 0))
            {
                producers.TryAdd(name, node);
            }
        }
    }

    /// <summary>The distinct nodes reading <paramref name="tensorName"/>, in graph order.</summary>
    public IReadOnlyList<NodeProto> ConsumersOf(string tensorName) =>
        this.consumers.TryGetValue(tensorName, out var consumers) ? consumers : [];

    /// <summary>The node writing <paramref name="tensorName"/>, or null for graph inputs, initializers and unknown names.</summary>
    public NodeProto? ProducerOf(string tensorName) => producers.GetValueOrDefault(tensorName);

    /// <summary>Whether <paramref name="tensorName"/> is one of the graph's outputs.</summary>
    public bool IsGraphOutput(string tensorName) => graphOutputs.Contains(tensorName);

    /// <summary>Every tensor name read anywhere inside the node's subgraph attributes, at any depth.</summary>
    private static IEnumerable<string> SubgraphInputs(NodeProto node) =>
        node.Attribute
            .SelectMany(attribute => attribute.Graphs.Prepend(attribute.G))
            .OfType<GraphProto>()
            .SelectMany(graph => graph.Node)
            .SelectMany(inner => inner.Input.Concat(SubgraphInputs(inner)));
}

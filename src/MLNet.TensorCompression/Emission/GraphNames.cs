using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Every name a graph already uses — tensors, nodes, initializers, inputs, outputs, value_info, at any subgraph depth —
/// so that the names emission generates (<c>tc0_fc/leaf0</c>, …) can be kept apart from them.
/// </summary>
internal sealed class GraphNames
{
    private readonly string[] names;

    public GraphNames(GraphProto graph)
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        Add(graph, all);
        names = [.. all];
    }

    /// <summary>
    /// <paramref name="prefix"/>, or it with the first free suffix <c>_1</c>, <c>_2</c>, …: a prefix no existing name starts
    /// with, so neither it nor any <c>{prefix}/…</c> name can collide.
    /// </summary>
    public string FreePrefix(string prefix)
    {
        var candidate = prefix;
        for (int suffix = 1; names.Any(name => name.StartsWith(candidate, StringComparison.Ordinal)); suffix++)
            candidate = $"{prefix}_{suffix}";
        return candidate;
    }

    private static void Add(GraphProto graph, HashSet<string> all)
    {
        all.UnionWith(graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Select(v => v.Name));
        all.UnionWith(graph.Initializer.Select(t => t.Name));
        foreach (var node in graph.Node)
        {
            all.Add(node.Name);
            all.UnionWith(node.Input);
            all.UnionWith(node.Output);
            foreach (var attribute in node.Attribute)
                foreach (var subgraph in attribute.Graphs.Prepend(attribute.G).OfType<GraphProto>())
                    Add(subgraph, all);
        }
        all.Remove("");
    }
}

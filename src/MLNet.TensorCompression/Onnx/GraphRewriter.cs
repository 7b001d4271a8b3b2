using Google.Protobuf.Collections;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Builds the compressed model: each replaced layer's nodes give way, in place, to the nodes of its factorised form;
/// every other node, name, input and output stays. Factor initializers and functions are added, the custom domain
/// imported, and what nothing uses any more (old weights, their Constant/Identity nodes) dropped.
/// </summary>
internal static class GraphRewriter
{
    /// <summary>Model-local functions with an overload need IR version 10.</summary>
    private const long FunctionOverloadIrVersion = 10;

    /// <summary>Returns a rewritten copy of <paramref name="original"/>; the original is not modified.</summary>
    public static ModelProto Rewrite(ModelProto original, IReadOnlyList<LayerReplacement> replacements)
    {
        var model = original.Clone();
        var graph = model.Graph;
        var replacementOfNode = new Dictionary<int, LayerReplacement>();
        var removed = new HashSet<int>();
        foreach (var replacement in replacements)
        {
            var indices = replacement.ReplacedNodes.Select(node => IndexOf(original.Graph.Node, node, replacement.LayerName)).ToArray();
            replacementOfNode[indices.Min()] = replacement;
            removed.UnionWith(indices);
        }

        var nodes = new List<NodeProto>();
        for (int i = 0; i < graph.Node.Count; i++)
        {
            // The replacement only reads the layer's input, which is produced before the layer's first node: order holds.
            if (replacementOfNode.TryGetValue(i, out var replacement)) nodes.AddRange(replacement.Emission.Nodes);
            if (!removed.Contains(i)) nodes.Add(graph.Node[i]);
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        graph.Initializer.AddRange(replacements.SelectMany(r => r.Emission.Initializers));

        var functions = replacements.SelectMany(r => r.Emission.Functions)
            .Where(f => !model.Functions.Any(existing => SameFunction(existing, f)))
            .DistinctBy(f => (f.Domain, f.Name, f.Overload)).ToArray();
        if (functions.Length > 0)
        {
            model.Functions.AddRange(functions);
            if (!model.OpsetImport.Any(o => o.Domain == TensorCompressionDomain.Name))
                model.OpsetImport.Add(TensorCompressionDomain.Opset);
            model.IrVersion = Math.Max(model.IrVersion, FunctionOverloadIrVersion);
        }

        RemoveUnused(graph, replacements.SelectMany(r => r.ParameterTensorNames).ToHashSet(StringComparer.Ordinal));
        return model;
    }

    private static int IndexOf(RepeatedField<NodeProto> nodes, NodeProto node, string layerName)
    {
        for (int i = 0; i < nodes.Count; i++)
            if (ReferenceEquals(nodes[i], node)) return i;
        throw new ArgumentException($"A node of layer '{layerName}' is not in the model's graph; the layer was found in another model.");
    }

    private static bool SameFunction(FunctionProto a, FunctionProto b) => a.Domain == b.Domain && a.Name == b.Name && a.Overload == b.Overload;

    /// <summary>
    /// Drops initializers and Constant/Identity nodes whose outputs nothing reads, until nothing changes. An unused
    /// initializer that is also a graph input stays (callers may feed it), unless it is one of the replaced layers'
    /// <paramref name="released"/> parameters: then it goes with its graph input, as the factors now stand in for it.
    /// </summary>
    private static void RemoveUnused(GraphProto graph, IReadOnlySet<string> released)
    {
        var graphInputs = graph.Input.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var used = UsedNames(graph);
            int droppedNodes = RemoveWhere(graph.Node, n => n.OpType is "Constant" or "Identity" && string.IsNullOrEmpty(n.Domain) && n.Output.All(o => !used.Contains(o)));
            int droppedInitializers = RemoveWhere(graph.Initializer, t => !used.Contains(t.Name) && (!graphInputs.Contains(t.Name) || released.Contains(t.Name)));
            RemoveWhere(graph.Input, input => released.Contains(input.Name) && !used.Contains(input.Name) && graph.Initializer.All(t => t.Name != input.Name));
            if (droppedNodes + droppedInitializers == 0) return;
        }
    }

    /// <summary>Every tensor name read by a node (subgraphs included) or exposed as a graph output.</summary>
    private static HashSet<string> UsedNames(GraphProto graph)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        AddReads(graph, used);
        foreach (var output in graph.Output) used.Add(output.Name);
        return used;
    }

    private static void AddReads(GraphProto graph, HashSet<string> used)
    {
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input) used.Add(input);
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null) AddReads(attribute.G, used);
                foreach (var subgraph in attribute.Graphs) AddReads(subgraph, used);
            }
        }
    }

    private static int RemoveWhere<T>(RepeatedField<T> items, Func<T, bool> predicate)
    {
        var kept = items.Where(item => !predicate(item)).ToArray();
        int removedCount = items.Count - kept.Length;
        if (removedCount > 0)
        {
            items.Clear();
            items.AddRange(kept);
        }
        return removedCount;
    }
}

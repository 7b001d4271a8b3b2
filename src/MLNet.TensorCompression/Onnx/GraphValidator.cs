using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// The structural checks a model passes on load, so that a graph ONNX Runtime would reject (or that would make the
/// rewritten model unloadable) fails here, naming the node or tensor: a known default-domain opset; every node input
/// produced before the node (by a graph input, an initializer, an earlier node, or — inside an <c>If</c>/<c>Loop</c>/
/// <c>Scan</c> body — a name visible in an enclosing graph), which also rules out cycles; every tensor written once;
/// every graph output produced; no initializer that declares elements but holds no data.
/// </summary>
/// <remarks>Model-local function bodies are not checked: their names are formal parameters, resolved per call.</remarks>
internal static class GraphValidator
{
    /// <summary>The highest default-domain opset this version knows (ONNX 1.18 defines 23; room for the next releases).</summary>
    public const long MaxStandardOpset = 25;

    /// <summary>Throws on the first structural problem of <paramref name="model"/>.</summary>
    /// <param name="model">A parsed model whose external data has been read in.</param>
    /// <param name="source">Where it came from, for messages, e.g. "file '/m/model.onnx'".</param>
    /// <exception cref="OnnxModelException">What is wrong, naming the source and the node, tensor or opset.</exception>
    public static void Validate(ModelProto model, string source)
    {
        foreach (var import in model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx"))
        {
            if (import.Version < 1 || import.Version > MaxStandardOpset)
                throw new OnnxModelException($"{source} imports opset {import.Version} of the default ONNX domain; known opsets are 1 to {MaxStandardOpset}.");
        }

        ValidateGraph(model.Graph, new HashSet<string>(StringComparer.Ordinal), source);
    }

    /// <summary>Checks one graph; <paramref name="outerScope"/> holds the names an enclosing graph makes visible.</summary>
    private static void ValidateGraph(GraphProto graph, HashSet<string> outerScope, string source)
    {
        string where = graph.Name.Length > 0 ? $"{source}, graph '{graph.Name}'" : source;
        foreach (var tensor in graph.Initializer)
            RequireData(tensor, where);

        // What this graph defines before its first node; node outputs join as they are produced.
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name), StringComparer.Ordinal);
        defined.UnionWith(graph.Initializer.Select(t => t.Name));
        defined.UnionWith(graph.SparseInitializer.Select(t => t.Values?.Name ?? ""));
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var output in node.Output.Where(o => o.Length > 0))
                producers.TryAdd(output, node);

        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (defined.Contains(input) || outerScope.Contains(input)) continue;
                throw new OnnxModelException(producers.TryGetValue(input, out var later)
                    ? $"{where}: node '{NameOf(node)}' ({node.OpType}) reads '{input}' before node '{NameOf(later)}' produces it: the nodes are not in topological order, or they form a cycle."
                    : $"{where}: node '{NameOf(node)}' ({node.OpType}) reads '{input}', which no graph input, initializer or node produces.");
            }

            foreach (var attribute in node.Attribute)
            {
                foreach (var subgraph in attribute.Graphs.Prepend(attribute.G).OfType<GraphProto>())
                {
                    var visible = new HashSet<string>(outerScope, StringComparer.Ordinal);
                    visible.UnionWith(defined);
                    ValidateGraph(subgraph, visible, $"{where}, node '{NameOf(node)}' attribute '{attribute.Name}'");
                }
            }

            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                if (!defined.Add(output))
                    throw new OnnxModelException($"{where}: node '{NameOf(node)}' ({node.OpType}) writes '{output}', which is already {(graph.Input.Any(i => i.Name == output) ? "a graph input" : graph.Initializer.Any(t => t.Name == output) ? "an initializer" : "written by another node")}; every tensor name is written once.");
            }
        }

        foreach (var output in graph.Output)
        {
            if (!defined.Contains(output.Name) && !outerScope.Contains(output.Name))
                throw new OnnxModelException($"{where}: graph output '{output.Name}' is produced by no node, input or initializer.");
        }
    }

    /// <summary>An initializer that declares elements must carry them (in some data field, or raw bytes).</summary>
    private static void RequireData(TensorProto tensor, string where)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External) return;
        long elements = OnnxShape.ElementCount(tensor);
        bool hasData = tensor.RawData.Length > 0 || tensor.FloatData.Count > 0 || tensor.Int32Data.Count > 0 || tensor.Int64Data.Count > 0
            || tensor.DoubleData.Count > 0 || tensor.Uint64Data.Count > 0 || tensor.StringData.Count > 0;
        if (elements > 0 && !hasData)
            throw new OnnxModelException($"{where}: initializer '{tensor.Name}' declares shape {OnnxShape.Format<long>(tensor.Dims.ToArray())} ({elements} elements) but holds no data.");
    }

    private static string NameOf(NodeProto node) =>
        node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault(o => o.Length > 0) ?? $"unnamed {node.OpType}";
}

using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>The inputs of a graph that a caller feeds.</summary>
internal static class GraphInputs
{
    /// <summary>
    /// The graph's inputs that are not initializers, in graph order (models of IR version 3 and earlier list every
    /// initializer as an input too).
    /// </summary>
    public static ValueInfoProto[] Fed(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return graph.Input.Where(input => !initializers.Contains(input.Name)).ToArray();
    }
}

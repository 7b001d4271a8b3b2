using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>How nodes are named in layer lists and messages.</summary>
internal static class NodeNames
{
    /// <summary>The node's name, or its first output when it is unnamed (as exporters often leave it).</summary>
    public static string Of(NodeProto node) =>
        node.Name.Length > 0 ? node.Name
        : node.Output.Count > 0 && node.Output[0].Length > 0 ? node.Output[0]
        : $"unnamed {node.OpType}";
}

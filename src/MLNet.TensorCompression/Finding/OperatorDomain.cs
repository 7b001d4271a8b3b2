using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>Which operator set a node belongs to.</summary>
internal static class OperatorDomain
{
    /// <summary>Whether the node belongs to the default ONNX operator set (domain "" or "ai.onnx"), whose semantics the patterns assume.</summary>
    public static bool IsDefault(NodeProto node) => node.Domain is "" or "ai.onnx";
}

using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>Reads a node's scalar attributes, with the operator's default when the attribute is absent.</summary>
internal static class NodeAttributes
{
    public static long Int(NodeProto node, string name, long defaultValue) => Find(node, name)?.I ?? defaultValue;

    public static float Float(NodeProto node, string name, float defaultValue) => Find(node, name)?.F ?? defaultValue;

    private static AttributeProto? Find(NodeProto node, string name) => node.Attribute.FirstOrDefault(attribute => attribute.Name == name);
}

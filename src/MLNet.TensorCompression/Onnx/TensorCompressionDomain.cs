using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>The custom operator domain of the factorised ops, whose functions the compressed model carries.</summary>
internal static class TensorCompressionDomain
{
    /// <summary>The domain's name.</summary>
    public const string Name = "ai.mlnet.tensorcompression";

    /// <summary>The version of the domain's operator set.</summary>
    public const int Version = 1;

    /// <summary>The opset import a model needs for the domain (a new message on every call).</summary>
    public static OperatorSetIdProto Opset => new() { Domain = Name, Version = Version };
}

using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>The default-domain ("" or "ai.onnx") opset a model imports, which every node written into it must be valid at.</summary>
internal static class StandardOpset
{
    /// <summary>The model's default-domain opset version.</summary>
    /// <exception cref="OnnxModelException">The model imports no default-domain opset, so no standard op (Conv, Gemm, MatMul) can be in it.</exception>
    public static int Of(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var import = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new OnnxModelException($"Graph '{model.Graph?.Name}' imports no default ONNX opset ('' or 'ai.onnx'), so its standard ops have no version.");
        return (int)import.Version;
    }
}

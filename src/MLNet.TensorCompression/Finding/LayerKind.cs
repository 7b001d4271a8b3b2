using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Finding;

/// <summary>What a compressible layer computes.</summary>
public enum LayerKind
{
    /// <summary>A 2-D convolution (ONNX <c>Conv</c>, group 1); its weight is a kernel [C_out, C_in, kh, kw].</summary>
    Convolution,

    /// <summary>A fully connected layer (ONNX <c>Gemm</c>, or <c>MatMul</c> with a constant weight, optionally + <c>Add</c>); its weight is a matrix [out, in].</summary>
    FullyConnected,
}

using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>The standard ONNX ops this executor runs, by op type.</summary>
internal static class OpKernelCatalog
{
    private static readonly Dictionary<string, OpKernelFactory> Factories = new(StringComparer.Ordinal)
    {
        ["Conv"] = ConvolutionKernels.Conv,
        ["ConvTranspose"] = ConvolutionKernels.ConvTranspose,
        ["MaxPool"] = PoolingKernels.MaxPool,
        ["AveragePool"] = PoolingKernels.AveragePool,
        ["GlobalAveragePool"] = PoolingKernels.GlobalAveragePool,
        ["GlobalMaxPool"] = PoolingKernels.GlobalMaxPool,
        ["Gemm"] = ArithmeticKernels.Gemm,
        ["MatMul"] = ArithmeticKernels.MatMul,
        ["Einsum"] = ArithmeticKernels.Einsum,
        ["Add"] = ArithmeticKernels.Add,
        ["Sub"] = ArithmeticKernels.Sub,
        ["Mul"] = ArithmeticKernels.Mul,
        ["Div"] = ArithmeticKernels.Div,
        ["Relu"] = ActivationKernels.Relu,
        ["LeakyRelu"] = ActivationKernels.LeakyRelu,
        ["Sigmoid"] = ActivationKernels.Sigmoid,
        ["Tanh"] = ActivationKernels.Tanh,
        ["Clip"] = ActivationKernels.Clip,
        ["Softmax"] = ActivationKernels.Softmax,
        ["BatchNormalization"] = NormalizationKernels.BatchNormalization,
        ["Flatten"] = ShapeKernels.Flatten,
        ["Reshape"] = ShapeKernels.Reshape,
        ["Transpose"] = ShapeKernels.Transpose,
        ["Squeeze"] = ShapeKernels.Squeeze,
        ["Unsqueeze"] = ShapeKernels.Unsqueeze,
        ["Concat"] = ShapeKernels.Concat,
        ["Slice"] = ShapeKernels.Slice,
        ["Tile"] = ShapeKernels.Tile,
        ["Identity"] = ShapeKernels.Identity,
        ["Dropout"] = ShapeKernels.Dropout,
        ["Constant"] = ConstantKernels.Constant,
        ["Shape"] = ConstantKernels.Shape,
        ["Cast"] = ConstantKernels.Cast,
    };

    /// <summary>The factory for a default-domain op, or null when this executor does not run it.</summary>
    public static OpKernelFactory? Find(string opType) => Factories.GetValueOrDefault(opType);
}

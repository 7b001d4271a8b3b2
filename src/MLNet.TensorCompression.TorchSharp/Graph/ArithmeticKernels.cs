using MLNet.TensorCompression.Tensors;

using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Broadcasting element-wise arithmetic and the matrix products (MatMul, Gemm, Einsum).</summary>
internal static class ArithmeticKernels
{
    public static OpKernel Add(OpNode node) => Binary(node, (a, b) => a + b);

    public static OpKernel Sub(OpNode node) => Binary(node, (a, b) => a - b);

    public static OpKernel Mul(OpNode node) => Binary(node, (a, b) => a * b);

    // ONNX integer division truncates; torch's '/' would promote int64 to float.
    public static OpKernel Div(OpNode node) =>
        Binary(node, (a, b) => a.dtype == ScalarType.Int64 && b.dtype == ScalarType.Int64 ? div(a, b, RoundingMode.trunc) : a / b);

    public static OpKernel MatMul(OpNode node) => Binary(node, (a, b) => a.matmul(b));

    /// <summary>Y = alpha·A'·B' + beta·C, with A' and B' optionally transposed (views, no copies).</summary>
    public static OpKernel Gemm(OpNode node)
    {
        var attributes = node.Attributes;
        var alpha = attributes.Float("alpha", 1f);
        var beta = attributes.Float("beta", 1f);
        var transA = attributes.Int("transA", 0) != 0;
        var transB = attributes.Int("transB", 0) != 0;
        return inputs =>
        {
            var a = Required(inputs, 0, node.Description);
            var b = Required(inputs, 1, node.Description);
            var c = Optional(inputs, 2);
            if (transA) a = a.t();
            if (transB) b = b.t();
            if (c is not null) return [addmm(c, a, b, beta, alpha)];
            var product = a.matmul(b);
            return [alpha == 1f ? product : product * alpha];
        };
    }

    /// <summary>
    /// Einsum of every input by the node's equation: ONNX and torch share the notation (the Reconstructed form's
    /// rebuild ends in one, from opset 12). Spaces, which ONNX allows, are dropped.
    /// </summary>
    public static OpKernel Einsum(OpNode node)
    {
        string equation = node.Attributes.String("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Length == 0) throw new NotSupportedException($"{node.Description} has no equation.");
        return inputs => [einsum(equation, inputs.Select((_, i) => Required(inputs, i, node.Description)).ToArray())];
    }

    private static OpKernel Binary(OpNode node, Func<Tensor, Tensor, Tensor> operation) =>
        inputs => [operation(Required(inputs, 0, node.Description), Required(inputs, 1, node.Description))];
}

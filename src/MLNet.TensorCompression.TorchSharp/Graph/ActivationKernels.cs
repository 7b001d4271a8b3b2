using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Element-wise activations (Relu, LeakyRelu, Sigmoid, Tanh, Clip) and Softmax.</summary>
internal static class ActivationKernels
{
    public static OpKernel Relu(OpNode node) => Unary(node, x => nn.functional.relu(x));

    public static OpKernel LeakyRelu(OpNode node)
    {
        var alpha = node.Attributes.Float("alpha", 0.01f);
        return Unary(node, x => nn.functional.leaky_relu(x, alpha));
    }

    public static OpKernel Sigmoid(OpNode node) => Unary(node, x => x.sigmoid());

    public static OpKernel Tanh(OpNode node) => Unary(node, x => x.tanh());

    /// <summary>Bounds are attributes before opset 11 and optional scalar inputs from 11 on.</summary>
    public static OpKernel Clip(OpNode node)
    {
        if (node.Opset < 11)
        {
            var min = node.Attributes.Float("min", float.MinValue);
            var max = node.Attributes.Float("max", float.MaxValue);
            return Unary(node, x => x.clamp(min, max));
        }

        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var min = Optional(inputs, 1);
            var max = Optional(inputs, 2);
            return [x.clamp(min is null ? null : min.ToScalar(), max is null ? null : max.ToScalar())];
        };
    }

    /// <summary>
    /// From opset 13 softmax runs along one axis (default -1); before, the input is coerced to 2-D at the axis
    /// (default 1) and softmax runs over everything from the axis on.
    /// </summary>
    public static OpKernel Softmax(OpNode node)
    {
        if (node.Opset >= 13)
        {
            var axis = node.Attributes.Int("axis", -1);
            return Unary(node, x => x.softmax(NormalizeAxis(axis, x.ndim, node.Description)));
        }

        var coercedAxis = node.Attributes.Int("axis", 1);
        return Unary(node, x =>
        {
            var axis = (int)(coercedAxis < 0 ? coercedAxis + x.ndim : coercedAxis);
            var shape = x.shape;
            var outer = shape[..axis].Aggregate(1L, (p, s) => p * s);
            var inner = shape[axis..].Aggregate(1L, (p, s) => p * s);
            return x.reshape(outer, inner).softmax(1).reshape(shape);
        });
    }

    private static OpKernel Unary(OpNode node, Func<Tensor, Tensor> operation) =>
        inputs => [operation(Required(inputs, 0, node.Description))];
}

using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>BatchNormalization in its inference form: the stored mean and variance, never batch statistics.</summary>
internal static class NormalizationKernels
{
    public static OpKernel BatchNormalization(OpNode node)
    {
        if (node.UsesOutput(1) || node.UsesOutput(2))
            throw new NotSupportedException($"{node.Description} asks for the running-mean/variance outputs of training mode.");
        var epsilon = node.Attributes.Float("epsilon", 1e-5f);
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var scale = Required(inputs, 1, node.Description);
            var bias = Required(inputs, 2, node.Description);
            var mean = Required(inputs, 3, node.Description);
            var variance = Required(inputs, 4, node.Description);
            return [batch_norm(x, mean, variance, scale, bias, training: false, eps: epsilon)];
        };
    }
}

using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Small helpers kernels use to read their inputs.</summary>
internal static class KernelInputs
{
    /// <summary>Input <paramref name="index"/>, or null when the node omits it (empty name or not listed).</summary>
    public static Tensor? Optional(Tensor?[] inputs, int index) => index < inputs.Length ? inputs[index] : null;

    /// <summary>Input <paramref name="index"/>, which the op requires.</summary>
    public static Tensor Required(Tensor?[] inputs, int index, string description) =>
        Optional(inputs, index) ?? throw new InvalidOperationException($"{description} lacks its required input {index}.");

    /// <summary>Axis <paramref name="axis"/> counted from the end when negative, as ONNX allows.</summary>
    public static long NormalizeAxis(long axis, long rank, string description) =>
        axis >= -rank && axis < rank
            ? (axis < 0 ? axis + rank : axis)
            : throw new InvalidOperationException($"{description} has axis {axis}, outside a rank-{rank} tensor.");
}

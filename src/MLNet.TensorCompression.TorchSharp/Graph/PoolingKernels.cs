using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// MaxPool, AveragePool (1- and 2-D: 1-D runs as 2-D with a unit height) and the global pools. Pads torch cannot take
/// (asymmetric, or over half the kernel) are applied explicitly: -inf for max, zeros for average with a divisor that
/// counts only real pixels unless count_include_pad.
/// </summary>
internal static class PoolingKernels
{
    public static OpKernel MaxPool(OpNode node)
    {
        if (node.UsesOutput(1)) throw new NotSupportedException($"{node.Description} asks for the Indices output.");
        var window = new PoolWindow(node);
        var ceilMode = window.CeilMode;
        return inputs => [window.Run(Required(inputs, 0, node.Description), (x, kernel, strides, pads, dilations, explicitPads) =>
        {
            if (explicitPads is not null) x = pad(x, explicitPads, value: double.NegativeInfinity);
            return max_pool2d(x, kernel, strides, pads, dilations, ceilMode);
        })];
    }

    public static OpKernel AveragePool(OpNode node)
    {
        var window = new PoolWindow(node);
        if (window.HasDilation) throw new NotSupportedException($"{node.Description} has dilations other than 1.");
        var ceilMode = window.CeilMode;
        var countIncludePad = node.Attributes.Int("count_include_pad", 0) != 0;
        return inputs => [window.Run(Required(inputs, 0, node.Description), (x, kernel, strides, pads, _, explicitPads) =>
        {
            if (explicitPads is null) return avg_pool2d(x, kernel, strides, pads, ceilMode, countIncludePad);
            var sums = avg_pool2d(pad(x, explicitPads), kernel, strides, pads, ceilMode, count_include_pad: true);
            if (countIncludePad) return sums;
            // The share of each window that is real input, from a padded mask of ones.
            using var ones = global::TorchSharp.torch.ones([1, 1, x.shape[2], x.shape[3]], x.dtype);
            var share = avg_pool2d(pad(ones, explicitPads), kernel, strides, pads, ceilMode, count_include_pad: true);
            return sums / share;
        })];
    }

    public static OpKernel GlobalAveragePool(OpNode node) =>
        inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            return [x.mean(SpatialAxes(x), keepdim: true)];
        };

    public static OpKernel GlobalMaxPool(OpNode node) =>
        inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            return [x.amax(SpatialAxes(x), keepdim: true)];
        };

    private static long[] SpatialAxes(Tensor x) => Enumerable.Range(2, (int)x.ndim - 2).Select(a => (long)a).ToArray();

    /// <summary>Runs a 2-D torch pool on this call's geometry: (input, kernel, strides, symmetric pads, dilations, explicit F.pad or null).</summary>
    private delegate Tensor Pool2d(Tensor x, long[] kernel, long[] strides, long[] pads, long[] dilations, long[]? explicitPads);

    /// <summary>The parsed pooling window, and the lifting of 1-D pooling to 2-D.</summary>
    private sealed class PoolWindow
    {
        private readonly SpatialWindow window;
        private readonly long[] kernel;
        private readonly string description;

        public PoolWindow(OpNode node)
        {
            description = node.Description;
            window = new SpatialWindow(node);
            kernel = window.KernelShape ?? throw new NotSupportedException($"{description} has no kernel_shape.");
            if (kernel.Length is not (1 or 2))
                throw new NotSupportedException($"{description} pools over {kernel.Length} axes; OnnxTorchGraph runs 1- and 2-D pooling.");
            CeilMode = node.Attributes.Int("ceil_mode", 0) != 0;
        }

        public bool CeilMode { get; }

        public bool HasDilation => window.Dilations(kernel.Length).Any(d => d != 1);

        public Tensor Run(Tensor x, Pool2d pool)
        {
            var rank = kernel.Length;
            var pads = window.Pads(x.shape.AsSpan(2), kernel);
            var strides = window.Strides(rank);
            var dilations = window.Dilations(rank);
            var lift = rank == 1;
            if (lift)
            {
                x = x.unsqueeze(2);
                pads = [0, pads[0], 0, pads[1]];
                strides = [1, strides[0]];
                dilations = [1, dilations[0]];
            }

            var kernel2d = lift ? [1, kernel[0]] : kernel;
            var fitsTorch = SpatialWindow.IsSymmetric(pads) && pads[0] * 2 <= kernel2d[0] && pads[1] * 2 <= kernel2d[1];
            Tensor result;
            if (fitsTorch)
            {
                result = pool(x, kernel2d, strides, pads[..2], dilations, null);
            }
            else
            {
                result = pool(x, kernel2d, strides, [0, 0], dilations, SpatialWindow.ToTorchPadOrder(pads));
                if (CeilMode) result = DropWindowsStartingInEndPadding(result, x, kernel2d, strides, dilations, pads);
            }

            return lift ? result.squeeze(2) : result;
        }

        /// <summary>
        /// With ceil_mode, ONNX Runtime (like torch) drops a last window that would start in the end padding; once the
        /// padding is explicit torch sees it as input, so the extra window is cut here.
        /// </summary>
        private static Tensor DropWindowsStartingInEndPadding(Tensor result, Tensor x, long[] kernel, long[] strides, long[] dilations, long[] pads)
        {
            for (var axis = 0; axis < 2; axis++)
            {
                var input = x.shape[2 + axis];
                var extent = (kernel[axis] - 1) * dilations[axis] + 1;
                var span = input + pads[axis] + pads[2 + axis] - extent;
                var size = (span + strides[axis] - 1) / strides[axis] + 1;
                if ((size - 1) * strides[axis] >= input + pads[axis]) size--;
                if (result.shape[2 + axis] > size) result = result.narrow(2 + axis, 0, size);
            }

            return result;
        }
    }
}

using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// Conv (1-, 2- and 3-D), with ONNX's asymmetric pads applied as an explicit pad when torch cannot take them; the
/// ConvTranspose of a 1×1 input that makes the split layout's Reconstructed kernel.
/// </summary>
internal static class ConvolutionKernels
{
    public static OpKernel Conv(OpNode node)
    {
        var window = new SpatialWindow(node);
        var group = node.Attributes.Int("group", 1);
        var description = node.Description;
        return inputs =>
        {
            var x = Required(inputs, 0, description);
            // A weight that is a strided view (the split forms' transposed, reshaped factors) made libtorch 2.10's conv
            // backward return NaN input gradients at times; a contiguous copy of a small weight costs little.
            var w = Required(inputs, 1, description).contiguous();
            var bias = Optional(inputs, 2);
            var rank = (int)w.ndim - 2;
            var pads = window.Pads(x.shape.AsSpan(2), w.shape.AsSpan(2));
            var strides = window.Strides(rank);
            var dilations = window.Dilations(rank);
            long[] padding;
            if (SpatialWindow.IsSymmetric(pads))
            {
                padding = pads[..rank];
            }
            else
            {
                x = pad(x, SpatialWindow.ToTorchPadOrder(pads));
                padding = new long[rank];
            }

            return
            [
                rank switch
                {
                    1 => conv1d(x, w, bias, strides[0], padding[0], dilations[0], group),
                    2 when group == 1 && w.shape[1] < FewChannels => Unfolded(x, w, bias, strides, padding, dilations),
                    2 => conv2d(x, w, bias, strides, padding, dilations, group),
                    3 => conv3d(x, w, bias, strides, padding, dilations, group),
                    _ => throw new NotSupportedException($"{description} is a {rank}-D convolution; OnnxTorchGraph runs 1-, 2- and 3-D ones."),
                },
            ];
        };
    }

    /// <summary>
    /// Below this many input channels a 2-D convolution runs as patches times the kernel (unfold, then a matrix
    /// product): libtorch 2.10's conv backward gave wrong, at times NaN, input gradients for few-channel convolutions
    /// on the development machine (one thread or two) — the split form's rank-sized ones, whose factors then trained on
    /// garbage. Such convolutions are cheap either way.
    /// </summary>
    private const long FewChannels = 16;

    private static Tensor Unfolded(Tensor x, Tensor w, Tensor? bias, long[] strides, long[] padding, long[] dilations)
    {
        long n = x.shape[0], outChannels = w.shape[0], kh = w.shape[2], kw = w.shape[3];
        long outHeight = ((x.shape[2] + (2 * padding[0]) - (dilations[0] * (kh - 1)) - 1) / strides[0]) + 1;
        long outWidth = ((x.shape[3] + (2 * padding[1]) - (dilations[1] * (kw - 1)) - 1) / strides[1]) + 1;
        var patches = unfold(x, (kh, kw), (dilations[0], dilations[1]), (padding[0], padding[1]), (strides[0], strides[1]));
        var y = w.reshape(outChannels, -1).matmul(patches).reshape(n, outChannels, outHeight, outWidth);
        return bias is null ? y : y + bias.reshape(1, -1, 1, 1);
    }

    /// <summary>
    /// ConvTranspose of a 1×1 input without pads, strides or groups — how the split layout's Reconstructed form makes its
    /// kernel — as the product it is: y[n, o, i, j] = Σ_c x[n, c]·w[c, o, i, j]. libtorch 2.10's conv_transpose2d gave
    /// wrong values for such few-channel inputs on the development machine (one thread or two).
    /// </summary>
    public static OpKernel ConvTranspose(OpNode node)
    {
        var attributes = node.Attributes;
        var description = node.Description;
        bool plain = attributes.Int("group", 1) == 1 && !attributes.Has("output_shape") && attributes.String("auto_pad", "NOTSET") == "NOTSET"
            && (attributes.Ints("pads") ?? []).All(p => p == 0) && (attributes.Ints("output_padding") ?? []).All(p => p == 0);
        if (!plain) throw new NotSupportedException($"{description}: OnnxTorchGraph runs ConvTranspose of a 1×1 input only, without group, pads, output padding or output_shape.");
        return inputs =>
        {
            var x = Required(inputs, 0, description);
            var w = Required(inputs, 1, description);
            if (x.ndim != 4 || x.shape[2] != 1 || x.shape[3] != 1 || w.ndim != 4)
                throw new NotSupportedException($"{description}: OnnxTorchGraph runs ConvTranspose of a 1×1 input only; got input [{string.Join(",", x.shape)}], weight [{string.Join(",", w.shape)}].");
            var y = einsum("nc,cokl->nokl", x.flatten(1), w);
            var bias = Optional(inputs, 2);
            return [bias is null ? y : y + bias.reshape(1, -1, 1, 1)];
        };
    }
}

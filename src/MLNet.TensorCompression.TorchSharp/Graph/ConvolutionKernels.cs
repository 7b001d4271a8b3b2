using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Conv (1-, 2- and 3-D), with ONNX's asymmetric pads applied as an explicit pad when torch cannot take them.</summary>
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
                    2 => conv2d(x, w, bias, strides, padding, dilations, group),
                    3 => conv3d(x, w, bias, strides, padding, dilations, group),
                    _ => throw new NotSupportedException($"{description} is a {rank}-D convolution; OnnxTorchGraph runs 1-, 2- and 3-D ones."),
                },
            ];
        };
    }
}

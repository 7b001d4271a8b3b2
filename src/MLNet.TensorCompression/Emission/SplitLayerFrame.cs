using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// What a split-form op does once each format has folded its two sides (on constants, so ONNX Runtime folds them at
/// session load): the few dense ops the layer runs.
/// <list type="bullet">
/// <item>Fully connected, W = L·Rᵀ with L [M, r] and Rᵀ [N, r]: x·Rᵀ·Lᵀ + b (a Gemm layer's outer product is a Gemm
/// with the bias; Gemm's C is optional only from opset 11, so the inner one is a MatMul), or L·(R·x) + b for W·x.</item>
/// <item>Convolution, K = (input side [C_in, r₁]) · (spatial [r₂, r₁, kh, kw]) · (output side [C_out, r₂]): a 1×1 Conv
/// C_in → r₁, the kh×kw Conv r₁ → r₂ with the layer's strides, pads, dilations and auto_pad, a 1×1 Conv r₂ → C_out with
/// the bias. (The 1×1 Conv adds nothing where padding is, so running it before the padding changes nothing.)</item>
/// </list>
/// Rebuilt (the Reconstructed form of a split layout), the sides instead make the dense weight in one product whose
/// result is the weight as the layer's op reads it, so ONNX Runtime's folding holds one weight-sized tensor, not a chain
/// of reshaped and transposed copies (measured on the VGG sample's 6272 → 512 layer: each weight-sized folded tensor
/// costs its size in session memory): W = L·R [M, N] (Wᵀ = Rᵀ·Lᵀ for MatMul), and for a convolution the spatial filters
/// times the input side by a 1×1 Conv, [r₂, C_in, kh, kw], then the output side by a ConvTranspose of a 1×1 input,
/// K [C_out, C_in, kh, kw].
/// </summary>
internal static class SplitLayerFrame
{
    /// <summary>Throws unless the weight's tensorization is a split one.</summary>
    /// <exception cref="ArgumentException">An interleaved layout.</exception>
    public static void RequireSplitLayout(FactorizedWeight weight)
    {
        if (weight.Tensorization.Layout != TensorLayout.Split)
            throw new ArgumentException($"Layer '{weight.Layer.Name}': the split form needs a split tensorization, not {weight.Tensorization}.", nameof(weight));
    }

    /// <summary>Multiply-adds per row of x: r·(N + M).</summary>
    public static long LinearMacs(CompressibleLayer layer, int rank) => (long)rank * (layer.InputSize + layer.OutputSize);

    /// <summary>
    /// Multiply-adds per output pixel: C_in·r₁ + r₁·r₂·kh·kw + r₂·C_out (the first 1×1 convolution runs on the input grid,
    /// so a strided layer's first term is larger by the stride's area).
    /// </summary>
    public static long ConvMacs(CompressibleLayer layer, int inputRank, int outputRank) =>
        (long)layer.InputSize * inputRank + (long)inputRank * outputRank * layer.Weight.Shape[2] * layer.Weight.Shape[3] + (long)outputRank * layer.OutputSize;

    /// <summary>The overload prefix of a split op: <c>split_</c>, or <c>dense_split_</c> rebuilt.</summary>
    public static string FormPrefix(bool rebuilt) => rebuilt ? "dense_split_" : "split_";

    /// <summary>Writes the two dense products of a fully connected layer from L [M, r] and Rᵀ [N, r], or, <paramref name="rebuilt"/>, the layer's op on L·R.</summary>
    public static void EmitLinear(OpBodyBuilder body, CompressibleLayer layer, string rows, string columnsTransposed, OpBodyNames io, bool rebuilt)
    {
        if (rebuilt)
        {
            EmitLinearRebuilt(body, layer, rows, columnsTransposed, io);
            return;
        }
        if (layer.WeightOnLeft)
        {
            // W·x on [..., N, K]: MatMul broadcasts the matrices over the leading axes.
            var columns = body.Node("Transpose", "columns", [columnsTransposed], Transpose);
            var inner = body.Node("MatMul", "inner", [columns, io.Input]);
            body.NodeToBiasedOutput("MatMul", [rows, inner], io);
            return;
        }
        var projected = body.Node("MatMul", "inner", [io.Input, columnsTransposed]);
        if (LinearLayerFrame.UsesGemm(layer))
        {
            body.NodeTo("Gemm", "output", io.Output, io.Bias is null ? [projected, rows] : [projected, rows, io.Bias], OnnxAttributes.Int("transB", 1));
            return;
        }
        var rowsTransposed = body.Node("Transpose", "rows_t", [rows], Transpose);
        body.NodeToBiasedOutput("MatMul", [projected, rowsTransposed], io);
    }

    /// <summary>Writes the rebuilt weight, one product of the sides, and the layer's own Gemm or MatMul on it.</summary>
    private static void EmitLinearRebuilt(OpBodyBuilder body, CompressibleLayer layer, string rows, string columnsTransposed, OpBodyNames io)
    {
        if (!layer.WeightOnLeft && !LinearLayerFrame.UsesGemm(layer))
        {
            var rowsTransposed = body.Node("Transpose", "rows_t", [rows], Transpose);
            var weightTransposed = body.Node("MatMul", "weight_t", [columnsTransposed, rowsTransposed]); // Wᵀ [N, M]
            body.NodeToBiasedOutput("MatMul", [io.Input, weightTransposed], io);
            return;
        }
        var columns = body.Node("Transpose", "columns", [columnsTransposed], Transpose);
        var weight = body.Node("MatMul", "weight", [rows, columns]); // W [M, N]
        if (layer.WeightOnLeft) body.NodeToBiasedOutput("MatMul", [weight, io.Input], io);
        else body.NodeTo("Gemm", "output", io.Output, io.Bias is null ? [io.Input, weight] : [io.Input, weight, io.Bias], OnnxAttributes.Int("transB", 1));
    }

    /// <summary>
    /// Writes the three convolutions from the input side [C_in, r₁], the spatial filters [r₂, r₁, kh, kw] and the output
    /// side [C_out, r₂], or, <paramref name="rebuilt"/>, the layer's own Conv on the kernel they make.
    /// </summary>
    public static void EmitConv(OpBodyBuilder body, CompressibleLayer layer, string inputSide, string spatialKernel, string outputSide, int inputRank, int outputRank, OpBodyNames io, bool rebuilt)
    {
        if (rebuilt)
        {
            // T [r₂, C_in, kh, kw] = S ⋆ (input side as 1×1 filters); K = the output side [C_out, r₂] as a 1×1 input, ConvTransposed with T.
            var inputFilters = body.Node("Reshape", "input_filters", [inputSide, body.LayerInts("input_filters_shape", [layer.InputSize, inputRank, 1, 1])]);
            var partial = body.Node("Conv", "partial_kernel", [spatialKernel, inputFilters]);
            var outputPixels = body.Node("Reshape", "output_pixels", [outputSide, body.LayerInts("output_pixels_shape", [layer.OutputSize, outputRank, 1, 1])]);
            var kernel = body.Node("ConvTranspose", "kernel", [outputPixels, partial]);
            body.NodeTo("Conv", "output", io.Output, io.Bias is null ? [io.Input, kernel] : [io.Input, kernel, io.Bias], ConvLayerFrame.LayerGeometry(body, layer));
            return;
        }
        var inputTransposed = body.Node("Transpose", "input_projection_t", [inputSide], Transpose);
        var inputKernel = body.Node("Reshape", "input_projection", [inputTransposed, body.LayerInts("input_projection_shape", [inputRank, layer.InputSize, 1, 1])]);
        var outputKernel = body.Node("Reshape", "output_projection", [outputSide, body.LayerInts("output_projection_shape", [layer.OutputSize, outputRank, 1, 1])]);

        var projected = body.Node("Conv", "input_conv", [io.Input, inputKernel]);
        var spatial = body.Node("Conv", "spatial_conv", [projected, spatialKernel], ConvLayerFrame.LayerGeometry(body, layer));
        body.NodeTo("Conv", "output", io.Output, io.Bias is null ? [spatial, outputKernel] : [spatial, outputKernel, io.Bias]);
    }

    private static AttributeProto Transpose => OnnxAttributes.Ints("perm", [1L, 0L]);
}

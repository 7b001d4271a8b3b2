using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// A layer's fitting problem as a linear regression: rows of inputs (what the compressed upstream network feeds the
/// layer) and rows of targets (what the original network's layer produced there, bias included), so that the layer
/// should satisfy Targets ≈ Inputs·Wᵀ + b. A convolution contributes one row per sampled output pixel (im2col).
/// </summary>
internal sealed class LayerRegression
{
    private LayerRegression(Matrix inputs, Matrix targets)
    {
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>rows × in (in = C_in·kh·kw for a convolution).</summary>
    public Matrix Inputs { get; }

    /// <summary>rows × out.</summary>
    public Matrix Targets { get; }

    /// <summary>Rows of a fully connected layer: every leading position of every sample is one row.</summary>
    public static LayerRegression ForFullyConnected(CompressibleLayer layer, CapturedTensor input, CapturedTensor output)
    {
        int inSize = layer.InputSize, outSize = layer.OutputSize;
        var inputs = new Matrix(input.Data.Length / inSize, inSize, Array.ConvertAll(input.Data, v => (double)v));
        var targets = new Matrix(output.Data.Length / outSize, outSize, Array.ConvertAll(output.Data, v => (double)v));
        return new LayerRegression(inputs, targets);
    }

    /// <summary>Rows of a convolution: <paramref name="pixelsPerSample"/> output pixels per sample, drawn at random, as im2col patches.</summary>
    public static LayerRegression ForConvolution(CompressibleLayer layer, CapturedTensor input, CapturedTensor output, int pixelsPerSample, Random random)
    {
        int channels = (int)input.SampleShape[0], height = (int)input.SampleShape[1], width = (int)input.SampleShape[2];
        int outChannels = (int)output.SampleShape[0], outHeight = (int)output.SampleShape[1], outWidth = (int)output.SampleShape[2];
        var geometry = ConvolutionGeometry.Of(layer, height, width);
        int kh = geometry.KernelHeight, kw = geometry.KernelWidth, patchSize = channels * kh * kw;
        int perSample = Math.Min(pixelsPerSample, outHeight * outWidth);
        var inputs = new Matrix(input.Count * perSample, patchSize);
        var targets = new Matrix(input.Count * perSample, outChannels);
        int row = 0;
        for (int sample = 0; sample < input.Count; sample++)
        {
            var x = input.Data.AsSpan(sample * input.SampleSize, input.SampleSize);
            var y = output.Data.AsSpan(sample * output.SampleSize, output.SampleSize);
            for (int k = 0; k < perSample; k++, row++)
            {
                int pixel = random.Next(outHeight * outWidth), oy = pixel / outWidth, ox = pixel % outWidth;
                var patch = inputs.Row(row);
                for (int c = 0; c < channels; c++)
                for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < kw; kx++)
                {
                    int iy = (oy * geometry.StrideY) - geometry.PadTop + (ky * geometry.DilationY);
                    int ix = (ox * geometry.StrideX) - geometry.PadLeft + (kx * geometry.DilationX);
                    patch[(((c * kh) + ky) * kw) + kx] = iy >= 0 && iy < height && ix >= 0 && ix < width ? x[(((c * height) + iy) * width) + ix] : 0;
                }
                var target = targets.Row(row);
                for (int o = 0; o < outChannels; o++) target[o] = y[(((o * outHeight) + oy) * outWidth) + ox];
            }
        }
        return new LayerRegression(inputs, targets);
    }

    /// <summary>The given rows, copied.</summary>
    public LayerRegression Subset(IReadOnlyList<int> rows)
    {
        var inputs = new Matrix(rows.Count, Inputs.Cols);
        var targets = new Matrix(rows.Count, Targets.Cols);
        for (int i = 0; i < rows.Count; i++)
        {
            Inputs.Row(rows[i]).CopyTo(inputs.Row(i));
            Targets.Row(rows[i]).CopyTo(targets.Row(i));
        }
        return new LayerRegression(inputs, targets);
    }
}

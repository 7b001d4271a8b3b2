using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>The dense layer computed from <see cref="FactorizedWeight.ReconstructWeight"/>: what every emitted form must match.</summary>
internal static class DenseReference
{
    /// <summary>y = x·Wᵀ + b over the last axis of x (any leading axes), in double.</summary>
    public static float[] WeightOnRight(FactorizedWeight weight, float[] x)
    {
        var w = weight.ReconstructWeight();
        int m = weight.Layer.OutputSize, n = weight.Layer.InputSize, rows = x.Length / n;
        var y = new float[rows * m];
        for (int row = 0; row < rows; row++)
        {
            for (int o = 0; o < m; o++)
            {
                double sum = weight.Layer.Bias?[o] ?? 0;
                for (int i = 0; i < n; i++) sum += (double)x[row * n + i] * w[o * n + i];
                y[row * m + o] = (float)sum;
            }
        }
        return y;
    }

    /// <summary>y = W·x + b[:, None] over the last two axes of x [..., N, K], in double.</summary>
    public static float[] WeightOnLeft(FactorizedWeight weight, float[] x, int columns)
    {
        var w = weight.ReconstructWeight();
        int m = weight.Layer.OutputSize, n = weight.Layer.InputSize, batches = x.Length / (n * columns);
        var y = new float[batches * m * columns];
        for (int b = 0; b < batches; b++)
        {
            for (int o = 0; o < m; o++)
            {
                for (int k = 0; k < columns; k++)
                {
                    double sum = weight.Layer.Bias?[o] ?? 0;
                    for (int i = 0; i < n; i++) sum += (double)w[o * n + i] * x[(b * n + i) * columns + k];
                    y[(b * m + o) * columns + k] = (float)sum;
                }
            }
        }
        return y;
    }

    /// <summary>The convolution with the rebuilt kernel, run by ONNX Runtime's own Conv.</summary>
    public static (float[] Values, long[] Shape) Conv(FactorizedWeight weight, float[] x, long[] shape) =>
        LayerScoring.Run(LayerModels.DenseConv(weight.Layer, weight.ReconstructWeight()), x, shape);
}

using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>What a fully connected layer computes from its canonical weight: y = x·Wᵀ + b, row by row.</summary>
internal static class FullyConnectedReference
{
    /// <summary>Applies the layer to each of the rows of <paramref name="x"/> (each of length in), in double.</summary>
    public static float[] Apply(CompressibleLayer layer, float[] x)
    {
        int outputs = layer.OutputSize, inputs = layer.InputSize;
        var rows = x.Length / inputs;
        var y = new float[rows * outputs];
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < outputs; o++)
            {
                double sum = layer.Bias?[o] ?? 0;
                for (var i = 0; i < inputs; i++)
                {
                    sum += (double)x[r * inputs + i] * layer.Weight.Data[o * inputs + i];
                }

                y[r * outputs + o] = (float)sum;
            }
        }

        return y;
    }

    /// <summary>Asserts two outputs agree to float rounding.</summary>
    public static void AssertClose(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.AreEqual(expected[k], actual[k], 1e-5f + 1e-5f * Math.Abs(expected[k]), $"element {k}");
        }
    }
}

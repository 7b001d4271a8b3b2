namespace MLNet.TensorCompression.Tests.Decomposition;

/// <summary>Central finite differences of a scalar function of factor values, the reference for analytic gradients.</summary>
internal static class FiniteDifferences
{
    /// <summary>
    /// (f(x + h) − f(x − h)) / 2h for every entry of every factor, perturbing the arrays in place and restoring them.
    /// The tensor formats are multilinear in each factor entry, so for losses at most quadratic in A the difference
    /// is exact up to rounding and <paramref name="step"/> need not be tiny.
    /// </summary>
    public static double[][] Gradient(IReadOnlyList<double[]> factors, Func<double> loss, double step)
    {
        var gradient = new double[factors.Count][];
        for (int f = 0; f < factors.Count; f++)
        {
            var factor = factors[f];
            gradient[f] = new double[factor.Length];
            for (int i = 0; i < factor.Length; i++)
            {
                double original = factor[i];
                factor[i] = original + step;
                double above = loss();
                factor[i] = original - step;
                double below = loss();
                factor[i] = original;
                gradient[f][i] = (above - below) / (2 * step);
            }
        }
        return gradient;
    }

    /// <summary>Asserts that every factor's gradient has the expected length and lies within a relative <paramref name="tolerance"/> of the reference.</summary>
    public static void AssertClose(double[][] expected, double[][] actual, double tolerance, string context)
    {
        Assert.HasCount(expected.Length, actual, context);
        for (int f = 0; f < expected.Length; f++)
        {
            Assert.HasCount(expected[f].Length, actual[f], $"{context}: factor {f} length");
            Assert.IsLessThan(tolerance, RandomTensors.RelativeDistance(expected[f], actual[f]), $"{context}: factor {f}");
        }
    }
}

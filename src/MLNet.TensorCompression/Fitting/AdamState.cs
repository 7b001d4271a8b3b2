namespace MLNet.TensorCompression.Fitting;

/// <summary>Adam's first and second moment estimates for a set of factor arrays and an optional bias (Kingma and Ba 2015).</summary>
internal sealed class AdamState
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-16;
    private readonly double[][] first, second;
    private readonly double[]? biasFirst, biasSecond;
    private int steps;

    public AdamState(double[][] factors, double[]? bias)
    {
        first = factors.Select(f => new double[f.Length]).ToArray();
        second = factors.Select(f => new double[f.Length]).ToArray();
        biasFirst = bias is null ? null : new double[bias.Length];
        biasSecond = bias is null ? null : new double[bias.Length];
    }

    /// <summary>Moves every factor (and the bias) against its gradient with its own step size.</summary>
    public void Step(double[][] factors, double[][] gradients, double[] stepSizes, double[]? bias, double[]? biasGradient, double biasStepSize)
    {
        steps++;
        double correction1 = 1 - Math.Pow(Beta1, steps), correction2 = 1 - Math.Pow(Beta2, steps);
        for (int k = 0; k < factors.Length; k++)
            Update(factors[k], gradients[k], first[k], second[k], stepSizes[k], correction1, correction2);
        if (bias is not null && biasGradient is not null)
            Update(bias, biasGradient, biasFirst!, biasSecond!, biasStepSize, correction1, correction2);
    }

    private static void Update(double[] values, double[] gradient, double[] m, double[] v, double stepSize, double correction1, double correction2)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double g = gradient[i];
            m[i] = (Beta1 * m[i]) + ((1 - Beta1) * g);
            v[i] = (Beta2 * v[i]) + ((1 - Beta2) * g * g);
            values[i] -= stepSize * (m[i] / correction1) / (Math.Sqrt(v[i] / correction2) + Epsilon);
        }
    }
}

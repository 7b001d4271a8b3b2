using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// The <see cref="FactorizedLinearMap"/> of any factorisation: W̃ rebuilt densely from the factors at every evaluation,
/// the objective's gradient taken in W̃ and carried back to the factors by the reconstruction gradient. Each evaluation
/// costs a few passes over out × K̃ values and a product with C.
/// </summary>
internal sealed class DenseLinearMap(FactorizedWeight weight, bool hasBias) : FactorizedLinearMap(weight, hasBias)
{
    private readonly double[] dense = new double[weight.Layer.WeightCount];
    private readonly double[] tensorGradient = new double[weight.Layer.WeightCount];

    /// <inheritdoc />
    public override int ProductRows => Outputs;

    /// <inheritdoc />
    public override double Value(ShrunkObjective objective, double[][] factors, double[]? bias) => objective.Value(WeightOf(factors, bias));

    /// <inheritdoc />
    public override (double[][] Factors, double[]? Bias) Gradient(ShrunkObjective objective, double[][] factors, double[]? bias)
    {
        var gradient = objective.Gradient(WeightOf(factors, bias));
        return (FactorGradients(factors, gradient), bias is null ? null : BiasGradient(gradient));
    }

    /// <inheritdoc />
    public override double[] Curvature(ShrunkObjective objective, double[][] factors, int k, double[] direction) =>
        FactorGradients(factors, objective.Curvature(WeightOf(WithFactor(factors, k, direction), null)))[k];

    /// <inheritdoc />
    public override double SumOfSquaredErrors(LayerStatistics rows, double[][] factors, double[]? bias) => rows.ExactSumOfSquaredErrors(WeightOf(factors, bias));

    /// <inheritdoc />
    public override double[] TimesInputSum(double[][] factors, LayerStatistics statistics) =>
        Gemm.Multiply(WeightOf(factors, null), new Matrix(AugmentedInputs, 1, statistics.InputSum)).Data;

    /// <summary>W̃ for the given factors and bias (the bias column is 0 when <paramref name="bias"/> is null).</summary>
    public Matrix WeightOf(double[][] factors, double[]? bias)
    {
        Weight.Tensorization.UnfoldInto(Weight.Tensor.WithFactors(factors).ToDense(), dense);
        return Augmented(dense, bias);
    }

    // The factors' gradients for a gradient in W̃ (evaluated at the factors).
    private double[][] FactorGradients(double[][] factors, Matrix weightGradient)
    {
        for (int o = 0; o < Outputs; o++) weightGradient.Row(o)[..Inputs].CopyTo(dense.AsSpan(o * Inputs, Inputs));
        Weight.Tensorization.FoldInto(dense, tensorGradient);
        return Weight.Tensor.WithFactors(factors).ReconstructionGradient(tensorGradient);
    }

    // The bias column of a gradient in W̃.
    private double[] BiasGradient(Matrix weightGradient)
    {
        var gradient = new double[Outputs];
        for (int o = 0; o < Outputs; o++) gradient[o] = weightGradient[o, Inputs];
        return gradient;
    }
}

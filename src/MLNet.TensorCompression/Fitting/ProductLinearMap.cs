using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// The <see cref="FactorizedLinearMap"/> of a split-layout factorisation with a bond between its outputs and its inputs
/// (<see cref="FactorizedTensor.SplitAtBond"/>): W = U·Y with U (out × r) built from the output side's factors and
/// Y (r × K) from the rest, and with the bias W̃ = Ũ·Ỹ, Ũ = [U, b], Ỹ = [[Y, 0], [0, 1]]. The objective, its gradient
/// (G·Ỹᵀ and Ũᵀ·G, all the factors need of G) and its curvature then come from products with r + 1 rows
/// (<see cref="ShrunkObjective"/>), and W̃ is never formed: for a 512 × 6,272 layer at r = 20, each evaluation costs
/// about a tenth of a dense one.
/// </summary>
internal sealed class ProductLinearMap : FactorizedLinearMap
{
    private readonly int bond;
    private readonly int productRows;

    // A kernel's split puts the input channels and the spatial mode before the bond, so its sides come transposed.
    private readonly bool outputsTrail;

    private ProductLinearMap(FactorizedWeight weight, bool hasBias, int bond, bool outputsTrail, int productRows) : base(weight, hasBias)
    {
        this.bond = bond;
        this.productRows = productRows;
        this.outputsTrail = outputsTrail;
    }

    /// <summary>
    /// The product map of <paramref name="weight"/>, or null when its layout is not split, its format has no bond between
    /// outputs and inputs (an HT kernel's root separates input channels instead), or the bond is no narrower than the outputs.
    /// </summary>
    public static ProductLinearMap? TryCreate(FactorizedWeight weight, bool hasBias)
    {
        var tensorization = weight.Tensorization;
        if (tensorization.Layout != TensorLayout.Split) return null;
        bool isKernel = tensorization.OriginalShape.Count == 4;
        // A matrix's rows (its outputs) lead; a kernel's output channels trail its input channels and spatial mode.
        int bond = tensorization.LeadingModeCount + (isKernel ? 1 : 0);
        if (bond < 1 || bond >= weight.Tensor.ModeSizes.Count) return null;
        if (weight.Tensor.SplitAtBond(bond) is not { } sides) return null;
        int rank = sides.Leading.Cols + (hasBias ? 1 : 0);
        return rank < weight.Layer.OutputSize ? new ProductLinearMap(weight, hasBias, bond, isKernel, rank) : null;
    }

    /// <inheritdoc />
    public override int ProductRows => productRows;

    /// <inheritdoc />
    public override double Value(ShrunkObjective objective, double[][] factors, double[]? bias)
    {
        var (left, right) = Product(factors, bias);
        return objective.Value(left, right);
    }

    /// <inheritdoc />
    public override (double[][] Factors, double[]? Bias) Gradient(ShrunkObjective objective, double[][] factors, double[]? bias)
    {
        var (left, right) = Product(factors, bias);
        var (leftGradient, rightGradient) = objective.Gradient(left, right);
        var factorGradients = FactorGradients(factors, leftGradient, rightGradient);
        if (bias is null) return (factorGradients, null);
        var biasGradient = new double[Outputs];
        for (int o = 0; o < Outputs; o++) biasGradient[o] = leftGradient[o, leftGradient.Cols - 1];
        return (factorGradients, biasGradient);
    }

    /// <inheritdoc />
    public override double[] Curvature(ShrunkObjective objective, double[][] factors, int k, double[] direction)
    {
        var (left, right) = Product(factors, null);
        var (directionLeft, directionRight) = Product(WithFactor(factors, k, direction), null);
        var (leftGradient, rightGradient) = objective.Curvature(left, right, directionLeft, directionRight);
        return FactorGradients(factors, leftGradient, rightGradient)[k];
    }

    /// <inheritdoc />
    public override double SumOfSquaredErrors(LayerStatistics rows, double[][] factors, double[]? bias)
    {
        var (left, right) = Product(factors, bias);
        return rows.ExactSumOfSquaredErrors(left, right);
    }

    /// <inheritdoc />
    public override double[] TimesInputSum(double[][] factors, LayerStatistics statistics)
    {
        var (left, right) = Product(factors, null);
        return Gemm.Multiply(left, Gemm.Multiply(right, new Matrix(AugmentedInputs, 1, statistics.InputSum))).Data;
    }

    /// <summary>W̃ = Ũ·Ỹ for the given factors and bias (Ũ's bias column is 0 when <paramref name="bias"/> is null).</summary>
    public (Matrix Left, Matrix Right) Product(double[][] factors, double[]? bias)
    {
        var (leading, trailing) = Weight.Tensor.WithFactors(factors).SplitAtBond(bond)!.Value;
        var (outputSide, inputSide) = outputsTrail ? (trailing.Transpose(), leading.Transpose()) : (leading, trailing);
        if (!HasBias) return (outputSide, inputSide);
        int rank = outputSide.Cols;
        var left = new Matrix(Outputs, rank + 1);
        for (int o = 0; o < Outputs; o++)
        {
            outputSide.Row(o).CopyTo(left.Row(o));
            if (bias is not null) left[o, rank] = bias[o];
        }
        var right = new Matrix(rank + 1, AugmentedInputs);
        for (int a = 0; a < rank; a++) inputSide.Row(a).CopyTo(right.Row(a));
        right[rank, Inputs] = 1;
        return (left, right);
    }

    // The factors' gradients from G·Ỹᵀ and Ũᵀ·G: their blocks over U and Y, carried back through the split.
    private double[][] FactorGradients(double[][] factors, Matrix leftGradient, Matrix rightGradient)
    {
        int rank = leftGradient.Cols - (HasBias ? 1 : 0);
        var outputSide = new Matrix(Outputs, rank);
        for (int o = 0; o < Outputs; o++) leftGradient.Row(o)[..rank].CopyTo(outputSide.Row(o));
        var inputSide = new Matrix(rank, Inputs);
        for (int a = 0; a < rank; a++) rightGradient.Row(a)[..Inputs].CopyTo(inputSide.Row(a));
        var tensor = Weight.Tensor.WithFactors(factors);
        return outputsTrail
            ? tensor.SplitGradient(bond, inputSide.Transpose(), outputSide.Transpose())
            : tensor.SplitGradient(bond, outputSide, inputSide);
    }
}

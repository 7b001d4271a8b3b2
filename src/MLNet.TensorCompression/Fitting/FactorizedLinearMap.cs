using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// A compressed layer's weight as the matrix its fit works on: W̃ = [W, b] (out × K̃), W rebuilt from the factors
/// (a kernel [C_out, C_in, kh, kw] read as [C_out, C_in·kh·kw], the matrix that multiplies im2col patches), b the bias
/// when there is one; and the way back, from a gradient in W̃ to the factors' and the bias's gradients.
/// </summary>
internal sealed class FactorizedLinearMap(FactorizedWeight weight, bool hasBias)
{
    private readonly double[] dense = new double[weight.Layer.WeightCount];
    private readonly double[] tensorGradient = new double[weight.Layer.WeightCount];

    /// <summary>Rows of W̃: the layer's outputs.</summary>
    public int Outputs { get; } = weight.Layer.OutputSize;

    /// <summary>K, inputs per row (without the bias column).</summary>
    public int Inputs { get; } = (int)(weight.Layer.WeightCount / weight.Layer.OutputSize);

    /// <summary>Columns of W̃: K, plus 1 with a bias.</summary>
    public int AugmentedInputs => Inputs + (hasBias ? 1 : 0);

    /// <summary>W̃ for the given factors and bias (the bias column is 0 when <paramref name="bias"/> is null).</summary>
    public Matrix Weight(double[][] factors, double[]? bias)
    {
        weight.Tensorization.UnfoldInto(weight.Tensor.WithFactors(factors).ToDense(), dense);
        return Augmented(dense, bias);
    }

    /// <summary>W̃ = [W, b] for a weight <paramref name="rows"/> (out × K, row-major) and a bias (the bias column is 0 when <paramref name="bias"/> is null).</summary>
    public Matrix Augmented(ReadOnlySpan<double> rows, IReadOnlyList<double>? bias)
    {
        var result = new Matrix(Outputs, AugmentedInputs);
        for (int o = 0; o < Outputs; o++)
        {
            rows.Slice(o * Inputs, Inputs).CopyTo(result.Row(o));
            if (hasBias && bias is not null) result[o, Inputs] = bias[o];
        }
        return result;
    }

    /// <summary>The factors' gradients for a gradient <paramref name="weightGradient"/> in W̃ (evaluated at <paramref name="factors"/>).</summary>
    public double[][] FactorGradients(double[][] factors, Matrix weightGradient)
    {
        for (int o = 0; o < Outputs; o++) weightGradient.Row(o)[..Inputs].CopyTo(dense.AsSpan(o * Inputs, Inputs));
        weight.Tensorization.FoldInto(dense, tensorGradient);
        return weight.Tensor.WithFactors(factors).ReconstructionGradient(tensorGradient);
    }

    /// <summary>The bias column of a gradient in W̃.</summary>
    public double[] BiasGradient(Matrix weightGradient)
    {
        var gradient = new double[Outputs];
        for (int o = 0; o < Outputs; o++) gradient[o] = weightGradient[o, Inputs];
        return gradient;
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// A compressed layer's weight as its fit sees it: W̃ = [W, b] (out × K̃), W the matrix that multiplies the layer's input
/// rows (a kernel [C_out, C_in, kh, kw] read as [C_out, C_in·kh·kw], the matrix of im2col patches), b the bias when there
/// is one, both functions of the factors. It gives the fit's objective, gradient and curvature in the factors, and the
/// error over a set of rows. <see cref="Create"/> picks the cheapest form: <see cref="ProductLinearMap"/> when a bond
/// of the factorisation separates outputs from inputs, else <see cref="DenseLinearMap"/>.
/// </summary>
internal abstract class FactorizedLinearMap(FactorizedWeight weight, bool hasBias)
{
    /// <summary>The map of <paramref name="weight"/>: through its split bond when it has one that narrows the outputs, else through the rebuilt weight.</summary>
    public static FactorizedLinearMap Create(FactorizedWeight weight, bool hasBias) =>
        (FactorizedLinearMap?)ProductLinearMap.TryCreate(weight, hasBias) ?? new DenseLinearMap(weight, hasBias);

    /// <summary>The decomposition whose factors are fitted.</summary>
    protected FactorizedWeight Weight { get; } = weight;

    /// <summary>Whether W̃ has a bias column.</summary>
    public bool HasBias { get; } = hasBias;

    /// <summary>Rows of W̃: the layer's outputs.</summary>
    public int Outputs { get; } = weight.Layer.OutputSize;

    /// <summary>K, inputs per row (without the bias column).</summary>
    public int Inputs { get; } = (int)(weight.Layer.WeightCount / weight.Layer.OutputSize);

    /// <summary>Columns of W̃: K, plus 1 with a bias.</summary>
    public int AugmentedInputs => Inputs + (HasBias ? 1 : 0);

    /// <summary>Rows of the matrices this map multiplies by C: out for a rebuilt weight, r + 1 through a bond.</summary>
    public abstract int ProductRows { get; }

    /// <summary>The objective at the given factors and bias.</summary>
    public abstract double Value(ShrunkObjective objective, double[][] factors, double[]? bias);

    /// <summary>The objective's gradient in every factor, and in the bias (null when <paramref name="bias"/> is).</summary>
    public abstract (double[][] Factors, double[]? Bias) Gradient(ShrunkObjective objective, double[][] factors, double[]? bias);

    /// <summary>The objective's Hessian in factor <paramref name="k"/> (the others and the bias fixed) applied to <paramref name="direction"/>.</summary>
    public abstract double[] Curvature(ShrunkObjective objective, double[][] factors, int k, double[] direction);

    /// <summary>Σ‖W̃x̃ − y‖² over the rows of <paramref name="rows"/>, exactly (held-back rows judge the fit with it).</summary>
    public abstract double SumOfSquaredErrors(LayerStatistics rows, double[][] factors, double[]? bias);

    /// <summary>W·Σx over the rows of <paramref name="statistics"/> (the bias left out): what the bias's closed-form update needs of W.</summary>
    public abstract double[] TimesInputSum(double[][] factors, LayerStatistics statistics);

    /// <summary>W̃ = [W, b] for a weight <paramref name="rows"/> (out × K, row-major) and a bias (the bias column is 0 when <paramref name="bias"/> is null).</summary>
    public Matrix Augmented(ReadOnlySpan<double> rows, IReadOnlyList<double>? bias)
    {
        var result = new Matrix(Outputs, AugmentedInputs);
        for (int o = 0; o < Outputs; o++)
        {
            rows.Slice(o * Inputs, Inputs).CopyTo(result.Row(o));
            if (HasBias && bias is not null) result[o, Inputs] = bias[o];
        }
        return result;
    }

    /// <summary>The factors with <paramref name="direction"/> in place of factor <paramref name="k"/>: W is linear in each factor, so its W is J_k·direction.</summary>
    protected static double[][] WithFactor(double[][] factors, int k, double[] direction)
    {
        var probe = (double[][])factors.Clone();
        probe[k] = direction;
        return probe;
    }
}

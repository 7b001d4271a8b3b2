using System.Numerics.Tensors;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// The re-fit's objective in W̃: the squared error over the rows of <see cref="LayerStatistics"/> plus shrinkage towards
/// the original weight, f(W̃) = Σ‖W̃x̃ − y‖² + s‖W̃ − W̃₀‖² with s = λ·tr(C)/K̃ (λ relative to the mean input energy
/// per column, so it means the same for any layer and row count). With few rows the data cannot pin down every
/// degree of freedom the factors have; the shrinkage term lets those the data leave free stay near the original's.
/// </summary>
internal sealed class ShrunkObjective
{
    private readonly Matrix original;
    private readonly double strength;

    private ShrunkObjective(LayerStatistics statistics, Matrix original, double strength)
    {
        Statistics = statistics;
        this.original = original;
        this.strength = strength;
    }

    /// <summary>The objective over <paramref name="statistics"/> with relative shrinkage <paramref name="lambda"/> towards <paramref name="original"/>.</summary>
    public static ShrunkObjective Create(LayerStatistics statistics, Matrix original, double lambda) =>
        new(statistics, original, lambda * statistics.InputEnergy / statistics.AugmentedSize);

    /// <summary>The rows' statistics.</summary>
    public LayerStatistics Statistics { get; }

    /// <summary>s, the absolute shrinkage strength.</summary>
    public double Strength => strength;

    /// <summary>The same objective over a mini-batch of the rows (shrinkage scaled to the batch's share of rows).</summary>
    public ShrunkObjective With(LayerStatistics batch) =>
        new(batch, original, strength * batch.RowCount / Math.Max(1, Statistics.RowCount));

    /// <summary>f(W̃).</summary>
    public double Value(Matrix weight)
    {
        double shrinkage = 0;
        for (int i = 0; i < weight.Data.Length; i++)
        {
            double d = weight.Data[i] - original.Data[i];
            shrinkage += d * d;
        }
        return Statistics.SumOfSquaredErrors(weight) + (strength * shrinkage);
    }

    /// <summary>∇f(W̃) = 2(W̃C − Mᵀ) + 2s(W̃ − W̃₀).</summary>
    public Matrix Gradient(Matrix weight)
    {
        var gradient = Statistics.Gradient(Statistics.TimesGram(weight));
        for (int i = 0; i < gradient.Data.Length; i++) gradient.Data[i] += 2 * strength * (weight.Data[i] - original.Data[i]);
        return gradient;
    }

    /// <summary>The Hessian applied to a direction: 2(ΔC + sΔ).</summary>
    public Matrix Curvature(Matrix direction)
    {
        var product = Statistics.TimesGram(direction);
        TensorPrimitives.MultiplyAdd(direction.Data, strength, product.Data, product.Data);
        TensorPrimitives.Multiply(product.Data, 2, product.Data);
        return product;
    }

    /// <summary>The original bias column of W̃₀, entry <paramref name="output"/>.</summary>
    public double OriginalBias(int output) => original[output, original.Cols - 1];
}

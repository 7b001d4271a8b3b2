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

    // D = Mᵀ + s·W̃₀ (out × K̃) and Σ‖y‖² + s‖W̃₀‖²: the objective's linear and constant parts in W̃, for the product form.
    private Matrix? linearPart;
    private double? constantPart;

    // One-entry caches of the product form's costly products, keyed on the operand's values: while alternating least
    // squares solves the factors of one side, every product with the other side repeats unchanged.
    private readonly ProductCache shrunkGrams = new(), linearTimesRight = new(), leftTimesLinear = new();

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
        var product = TimesShrunkGram(direction);
        TensorPrimitives.Multiply(product.Data, 2, product.Data);
        return product;
    }

    // X·(C + sI) for any X of K̃ columns, a new matrix.
    private Matrix TimesShrunkGram(Matrix x)
    {
        var product = Statistics.TimesGram(x);
        TensorPrimitives.MultiplyAdd(x.Data, strength, product.Data, product.Data);
        return product;
    }

    /// <summary>
    /// f(W̃) for W̃ = Ũ·Ỹ (<paramref name="left"/> out × q, <paramref name="right"/> q × K̃), through products with q rows
    /// only: tr(ŨᵀŨ·Ỹ(C + sI)Ỹᵀ) − 2⟨Ũ, D·Ỹᵀ⟩ + Σ‖y‖² + s‖W̃₀‖², with D = Mᵀ + sW̃₀.
    /// </summary>
    public double Value(Matrix left, Matrix right)
    {
        var quadratic = Gemm.MultiplyTransposeB(ShrunkGram(right), right);
        double value = TensorPrimitives.Dot(Gemm.TransposeAMultiply(left, left).Data, quadratic.Data)
            - (2 * TensorPrimitives.Dot(left.Data, LinearTimesRight(right).Data))
            + (constantPart ??= Statistics.TargetEnergy + (strength * TensorPrimitives.SumOfSquares(original.Data)));
        return Math.Max(0, value);
    }

    /// <summary>
    /// What the factors need of the gradient G = 2(W̃(C + sI) − D) at W̃ = Ũ·Ỹ: G·Ỹᵀ (out × q) and Ũᵀ·G (q × K̃).
    /// </summary>
    public (Matrix Left, Matrix Right) Gradient(Matrix left, Matrix right)
    {
        var shrunk = ShrunkGram(right);
        var leftGradient = Gemm.Multiply(left, Gemm.MultiplyTransposeB(shrunk, right));
        TensorPrimitives.Subtract(leftGradient.Data, LinearTimesRight(right).Data, leftGradient.Data);
        var rightGradient = Gemm.Multiply(Gemm.TransposeAMultiply(left, left), shrunk);
        TensorPrimitives.Subtract(rightGradient.Data, leftTimesLinear.Get(left, l => Gemm.TransposeAMultiply(l, LinearPart)).Data, rightGradient.Data);
        TensorPrimitives.Multiply(leftGradient.Data, 2, leftGradient.Data);
        TensorPrimitives.Multiply(rightGradient.Data, 2, rightGradient.Data);
        return (leftGradient, rightGradient);
    }

    /// <summary>
    /// The Hessian applied to a direction Δ = ΔŨ·ΔỸ, H·Δ = 2Δ(C + sI), as the products the factors at W̃ = Ũ·Ỹ need:
    /// (H·Δ)·Ỹᵀ and Ũᵀ·(H·Δ).
    /// </summary>
    public (Matrix Left, Matrix Right) Curvature(Matrix left, Matrix right, Matrix directionLeft, Matrix directionRight)
    {
        var shrunk = ShrunkGram(directionRight);
        var leftCurvature = Gemm.Multiply(directionLeft, Gemm.MultiplyTransposeB(shrunk, right));
        var rightCurvature = Gemm.Multiply(Gemm.TransposeAMultiply(left, directionLeft), shrunk);
        TensorPrimitives.Multiply(leftCurvature.Data, 2, leftCurvature.Data);
        TensorPrimitives.Multiply(rightCurvature.Data, 2, rightCurvature.Data);
        return (leftCurvature, rightCurvature);
    }

    // Ỹ·(C + sI), shared: callers must not modify it.
    private Matrix ShrunkGram(Matrix right) => shrunkGrams.Get(right, TimesShrunkGram);

    // D·Ỹᵀ, shared.
    private Matrix LinearTimesRight(Matrix right) => linearTimesRight.Get(right, r => Gemm.MultiplyTransposeB(LinearPart, r));

    private Matrix LinearPart => linearPart ??= BuildLinearPart();

    private Matrix BuildLinearPart()
    {
        var linear = Statistics.Cross.Transpose();
        TensorPrimitives.MultiplyAdd(original.Data, strength, linear.Data, linear.Data);
        return linear;
    }

    /// <summary>The original bias column of W̃₀, entry <paramref name="output"/>.</summary>
    public double OriginalBias(int output) => original[output, original.Cols - 1];

    /// <summary>The last product computed from an operand, returned again while the operand's values are the same.</summary>
    private sealed class ProductCache
    {
        private Matrix? operand, product;

        public Matrix Get(Matrix key, Func<Matrix, Matrix> compute)
        {
            if (operand is not null && operand.Rows == key.Rows && operand.Data.AsSpan().SequenceEqual(key.Data)) return product!;
            product = compute(key);
            operand = key.Clone();
            return product;
        }
    }
}

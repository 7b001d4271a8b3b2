using System.Numerics.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// One sweep of alternating least squares over a factorised layer: W̃ is linear in each factor when the others are
/// fixed, so the objective is a quadratic in that factor, minimised by conjugate gradients with matrix-free curvature
/// products (<see cref="FactorizedLinearMap.Curvature"/>: the layer with the direction in the factor's place, a product
/// with C, back to the factor);
/// then the bias in closed form. Conjugate gradients started at the current factor never raise the quadratic, and a
/// step that rounding made worse is undone, so a sweep never increases the objective. Given the held-back rows' error,
/// an update that raises it is undone too: with fewer rows than inputs a factor's full solve can fit the rows' noise
/// (ResNet-18's 512-channel layers on 100 photos), and the sweep then keeps the factors that generalise.
/// </summary>
internal static class AlternatingLeastSquares
{
    /// <summary>Updates every factor in turn, then the bias, in place.</summary>
    /// <param name="map">The layer's W̃ from its factors and bias.</param>
    /// <param name="objective">What to minimise.</param>
    /// <param name="factors">The factors, updated in place.</param>
    /// <param name="bias">The bias, updated in place, or null.</param>
    /// <param name="conjugateGradientSteps">Most conjugate-gradient steps per factor.</param>
    /// <param name="heldBackError">The held-back rows' error at the current factors and bias, or null: no update may raise it.</param>
    /// <param name="cancellationToken">Checked before every factor.</param>
    public static void Sweep(FactorizedLinearMap map, ShrunkObjective objective, double[][] factors, double[]? bias, int conjugateGradientSteps,
        Func<double>? heldBackError = null, CancellationToken cancellationToken = default)
    {
        double value = map.Value(objective, factors, bias);
        double heldBack = heldBackError?.Invoke() ?? 0;
        // Whether a factor's update is kept: it must not raise the objective nor, when there is one, the held-back error.
        bool Improves(double objectiveAfter)
        {
            if (objectiveAfter > value || !double.IsFinite(objectiveAfter)) return false;
            if (heldBackError is not null)
            {
                double heldBackAfter = heldBackError();
                if (!(heldBackAfter <= heldBack)) return false;
                heldBack = heldBackAfter;
            }
            value = objectiveAfter;
            return true;
        }

        for (int k = 0; k < factors.Length; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = (double[])factors[k].Clone();
            SolveFactor(map, objective, factors, bias, k, conjugateGradientSteps);
            if (!Improves(map.Value(objective, factors, bias))) factors[k] = before;
        }
        if (bias is null) return;
        var biasBefore = (double[])bias.Clone();
        SolveBias(map, objective, factors, bias);
        // The closed form minimises the objective over the bias; only the held-back rows can reject it.
        if (heldBackError is not null && !(heldBackError() <= heldBack)) biasBefore.CopyTo(bias, 0);
    }

    private static void SolveFactor(FactorizedLinearMap map, ShrunkObjective objective, double[][] factors, double[]? bias, int k, int steps)
    {
        var factor = factors[k];
        var residual = map.Gradient(objective, factors, bias).Factors[k];
        TensorPrimitives.Negate(residual, residual);
        var direction = (double[])residual.Clone();
        double residualSquared = TensorPrimitives.Dot(residual, residual), start = residualSquared;
        for (int step = 0; step < steps && residualSquared > 1e-6 * start; step++)
        {
            var curvature = map.Curvature(objective, factors, k, direction);
            double along = TensorPrimitives.Dot(direction, curvature);
            if (!(along > 0)) return;
            double alpha = residualSquared / along;
            TensorPrimitives.MultiplyAdd(direction, alpha, factor, factor);
            TensorPrimitives.MultiplyAdd(curvature, -alpha, residual, residual);
            double next = TensorPrimitives.Dot(residual, residual);
            TensorPrimitives.MultiplyAdd(direction, next / residualSquared, residual, direction);
            residualSquared = next;
        }
    }

    // ∂f/∂b = 0: b(n + s) = M[K,:] − W·Σx + s·b₀ (C's constant column is [Σx, n]).
    private static void SolveBias(FactorizedLinearMap map, ShrunkObjective objective, double[][] factors, double[] bias)
    {
        var statistics = objective.Statistics;
        var withoutBias = map.TimesInputSum(factors, statistics);
        int column = map.Inputs;
        for (int o = 0; o < map.Outputs; o++)
        {
            double cross = statistics.Cross[column, o];
            bias[o] = (cross - withoutBias[o] + (objective.Strength * objective.OriginalBias(o))) / (statistics.RowCount + objective.Strength);
        }
    }
}

using System.Numerics.Tensors;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Re-fits one layer's factors (and its bias) so that, fed what the compressed upstream network produces, the layer
/// reproduces the original network's output, minimising the squared error over every training row through the layer's
/// <see cref="LayerStatistics"/>. First <see cref="AlternatingLeastSquares"/> sweeps (each factor solved given the
/// others), then Adam on the exact gradient (mini-batches of rows where the rows are kept instead of a Gram matrix and
/// a product with all of them would go through their principal directions). Shrinkage towards the
/// original weight (<see cref="RefitOptions.Shrinkage"/>) keeps few images from overfitting. The held-back rows pick
/// the best iterate, so the result is never worse on them than the decomposition it starts from.
/// </summary>
internal static class LayerRefitter
{
    private const int EvaluationInterval = 25;

    /// <summary>The re-fitted weight, and the held-back mean squared error per row before and after.</summary>
    public static (FactorizedWeight Weight, double LossBefore, double LossAfter) Refit(FactorizedWeight weight, LayerStatistics training, LayerStatistics holdout, RefitOptions options, CancellationToken cancellationToken)
    {
        bool hasBias = training.HasBias;
        var map = FactorizedLinearMap.Create(weight, hasBias);
        var objective = ShrunkObjective.Create(training, OriginalWeight(weight, map, hasBias), options.Shrinkage);
        var random = new Random(options.Seed);
        var factors = weight.Tensor.Factors.Select(f => (double[])f.Clone()).ToArray();
        double[]? bias = hasBias ? Array.ConvertAll(weight.Layer.Bias!, v => (double)v) : null;

        double HoldoutLoss() => map.SumOfSquaredErrors(holdout, factors, bias) / Math.Max(1, holdout.RowCount);
        double startLoss = HoldoutLoss(), bestLoss = startLoss;
        var best = (Factors: Copy(factors), Bias: (double[]?)bias?.Clone());
        void KeepIfBetter()
        {
            double loss = HoldoutLoss();
            if (loss >= bestLoss) return;
            bestLoss = loss;
            best = (Copy(factors), (double[]?)bias?.Clone());
        }

        for (int sweep = 0; sweep < options.AlternatingSweeps; sweep++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AlternatingLeastSquares.Sweep(map, objective, factors, bias, options.ConjugateGradientSteps, HoldoutLoss, cancellationToken);
            KeepIfBetter();
        }

        var scale = factors.Select(f => options.LearningRate * Math.Sqrt(TensorPrimitives.SumOfSquares(f) / f.Length)).ToArray();
        double biasScale = bias is null ? 0 : options.LearningRate * Math.Max(1e-3, Math.Sqrt(TensorPrimitives.SumOfSquares(bias) / bias.Length));
        var adam = new AdamState(factors, bias);
        for (int step = 1; step <= options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Through principal directions the full-batch gradient is biased (the dropped directions count as no input);
            // mini-batches of kept rows are exact in expectation. Where every row is used exactly, the full batch.
            bool miniBatch = training.KeepsRows && training.RowCount > options.BatchSize && !training.MultipliesExactly(map.ProductRows);
            var batch = miniBatch ? objective.With(training.MiniBatch(options.BatchSize, random)) : objective;
            var (factorGradients, biasGradient) = map.Gradient(batch, factors, bias);
            double decay = 0.5 * (1 + Math.Cos(Math.PI * (step - 1) / options.Steps));
            adam.Step(factors, factorGradients, scale.Select(s => s * decay).ToArray(), bias, biasGradient, biasScale * decay);
            if (step % EvaluationInterval == 0 || step == options.Steps) KeepIfBetter();
        }

        var layer = best.Bias is null ? weight.Layer : weight.Layer.WithBias(Array.ConvertAll(best.Bias, v => (float)v));
        return (weight.WithFactors(best.Factors, layer), startLoss, bestLoss);
    }

    /// <summary>The layer's original W̃ = [W, b], the point shrinkage pulls towards.</summary>
    private static Matrix OriginalWeight(FactorizedWeight weight, FactorizedLinearMap map, bool hasBias) =>
        map.Augmented(Array.ConvertAll(weight.Layer.Weight.Data, v => (double)v), hasBias ? Array.ConvertAll(weight.Layer.Bias!, v => (double)v) : null);

    private static double[][] Copy(double[][] factors) => factors.Select(f => (double[])f.Clone()).ToArray();
}

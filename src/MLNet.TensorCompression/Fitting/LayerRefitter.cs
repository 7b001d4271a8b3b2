using System.Numerics.Tensors;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Re-fits one layer's TT or HT factors (and its bias) so that, fed what the compressed upstream network produces, the
/// layer reproduces the original network's output: Adam on the factors, minimising the mean squared error of
/// Inputs·Ŵᵀ + b − Targets, with Ŵ rebuilt from the factors each step and the gradient carried back through the rebuild.
/// The held-back rows pick the best step, so the result is never worse on them than the decomposition it starts from.
/// </summary>
internal static class LayerRefitter
{
    private const int EvaluationInterval = 25;

    /// <summary>The re-fitted weight, and the held-back mean squared error before and after.</summary>
    public static (FactorizedWeight Weight, double LossBefore, double LossAfter) Refit(FactorizedWeight weight, LayerRegression data, RefitOptions options, CancellationToken cancellationToken)
    {
        var start = weight.Tensor;
        var random = new Random(options.Seed);
        var (training, holdout) = Split(data, options.HoldoutFraction, random);
        double[]? bias = weight.Layer.Bias is { } b ? Array.ConvertAll(b, v => (double)v) : null;

        var factors = start.Factors.Select(f => (double[])f.Clone()).ToArray();
        var scale = factors.Select(f => options.LearningRate * Math.Sqrt(TensorPrimitives.SumOfSquares(f) / f.Length)).ToArray();
        double biasScale = bias is null ? 0 : options.LearningRate * Math.Max(1e-3, Math.Sqrt(TensorPrimitives.SumOfSquares(bias) / bias.Length));
        var adam = new AdamState(factors, bias);

        var dense = new double[weight.Layer.WeightCount];
        var tensorGradient = new double[dense.Length];
        double bestLoss = HoldoutLoss(start, factors, bias, holdout, weight.Tensorization, dense);
        double startLoss = bestLoss;
        var best = (Factors: factors.Select(f => (double[])f.Clone()).ToArray(), Bias: (double[]?)bias?.Clone());

        for (int step = 1; step <= options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (inputs, targets) = SampleRows(training, Math.Min(options.BatchSize, training.Inputs.Rows), random);
            var tensor = start.WithFactors(factors).ToDense();
            weight.Tensorization.UnfoldInto(tensor, dense);
            // A kernel [C_out, C_in, kh, kw] is the matrix [C_out, C_in·kh·kw] that multiplies im2col patches.
            var residual = Residual(inputs, targets, new Matrix(weight.Layer.OutputSize, dense.Length / weight.Layer.OutputSize, dense), bias);

            // d(mean over rows of ‖r‖²)/dŴ = (2/rows)·Rᵀ·X; the bias gradient is (2/rows)·Σ rows of R.
            var weightGradient = Gemm.TransposeAMultiply(residual, inputs);
            TensorPrimitives.Multiply(weightGradient.Data, 2.0 / inputs.Rows, weightGradient.Data);
            weight.Tensorization.FoldInto(weightGradient.Data, tensorGradient);
            var gradients = start.WithFactors(factors).ReconstructionGradient(tensorGradient);
            double[]? biasGradient = bias is null ? null : ColumnSums(residual, 2.0 / inputs.Rows);

            double decay = 0.5 * (1 + Math.Cos(Math.PI * (step - 1) / options.Steps));
            adam.Step(factors, gradients, scale.Select(s => s * decay).ToArray(), bias, biasGradient, biasScale * decay);

            if (step % EvaluationInterval == 0 || step == options.Steps)
            {
                double loss = HoldoutLoss(start, factors, bias, holdout, weight.Tensorization, dense);
                if (loss < bestLoss)
                {
                    bestLoss = loss;
                    best = (factors.Select(f => (double[])f.Clone()).ToArray(), bias?.Clone() as double[]);
                }
            }
        }

        var layer = best.Bias is null ? weight.Layer : weight.Layer.WithBias(Array.ConvertAll(best.Bias, v => (float)v));
        return (weight.WithFactors(best.Factors, layer), startLoss, bestLoss);
    }

    private static double HoldoutLoss(FactorizedTensor start, double[][] factors, double[]? bias, LayerRegression holdout, Tensorization tensorization, double[] dense)
    {
        tensorization.UnfoldInto(start.WithFactors(factors).ToDense(), dense);
        var residual = Residual(holdout.Inputs, holdout.Targets, new Matrix(holdout.Targets.Cols, holdout.Inputs.Cols, dense), bias);
        return TensorPrimitives.SumOfSquares(residual.Data) / holdout.Inputs.Rows;
    }

    /// <summary>X·Wᵀ + b − Y.</summary>
    private static Matrix Residual(Matrix inputs, Matrix targets, Matrix weight, double[]? bias)
    {
        var residual = Gemm.MultiplyTransposeB(inputs, weight);
        for (int row = 0; row < residual.Rows; row++)
        {
            var r = residual.Row(row);
            if (bias is not null) TensorPrimitives.Add(r, bias, r);
            TensorPrimitives.Subtract(r, targets.Row(row), r);
        }
        return residual;
    }

    private static double[] ColumnSums(Matrix matrix, double factor)
    {
        var sums = new double[matrix.Cols];
        for (int row = 0; row < matrix.Rows; row++) TensorPrimitives.Add(sums, matrix.Row(row), sums);
        TensorPrimitives.Multiply(sums, factor, sums);
        return sums;
    }

    private static (Matrix Inputs, Matrix Targets) SampleRows(LayerRegression data, int count, Random random)
    {
        var inputs = new Matrix(count, data.Inputs.Cols);
        var targets = new Matrix(count, data.Targets.Cols);
        for (int i = 0; i < count; i++)
        {
            int row = random.Next(data.Inputs.Rows);
            data.Inputs.Row(row).CopyTo(inputs.Row(i));
            data.Targets.Row(row).CopyTo(targets.Row(i));
        }
        return (inputs, targets);
    }

    private static (LayerRegression Training, LayerRegression Holdout) Split(LayerRegression data, double holdoutFraction, Random random)
    {
        var order = Enumerable.Range(0, data.Inputs.Rows).ToArray();
        random.Shuffle(order);
        int holdoutRows = Math.Max(1, (int)(data.Inputs.Rows * holdoutFraction));
        if (holdoutRows >= data.Inputs.Rows)
            throw new ArgumentException($"Re-fitting needs at least 2 regression rows; the calibration data gave {data.Inputs.Rows}.", nameof(data));
        return (data.Subset(order[holdoutRows..]), data.Subset(order[..holdoutRows]));
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Emission;

namespace MLNet.TensorCompression.Tests.Fitting;

[TestClass]
public sealed class AlternatingLeastSquaresTests
{
    public static IEnumerable<object[]> Layers =>
    [
        ["TT linear", RandomLayers.TensorTrainLinear(1, [4, 6], [5, 3], [1, 6, 1], new LinearOptions())],
        ["HT linear", RandomLayers.HierarchicalTuckerLinear(2, [2, 3, 4], [3, 2, 2], "((0,1),2)", 4, new LinearOptions(Bias: false))],
        ["TT conv", RandomLayers.TensorTrainConv(3, [2, 4], [4, 2], 3, 3, [1, 5, 4, 1], new ConvOptions())],
        ["HT conv", RandomLayers.HierarchicalTuckerConv(4, [2, 4], [4, 2], 3, 3, "((0,1),2)", 4, new ConvOptions())],
        ["HT split linear (product form)", RandomLayers.HierarchicalTuckerSplitLinear(5, [4, 6], [5, 3], 3, new LinearOptions())],
        ["TT split conv (product form)", RandomLayers.TensorTrainSplitConv(6, [4, 4], [2, 3], 3, 3, [1, 2, 5, 4, 3, 1], new ConvOptions())],
    ];

    [TestMethod]
    [DynamicData(nameof(Layers))]
    public void EverySweepLowersTheObjectiveAndNoneRaisesIt(string name, FactorizedWeight start)
    {
        // Targets from a different dense weight (and bias), so that the factorisation cannot fit them exactly.
        var (map, statistics, _) = RowsOfARandomWeight(start, rows: 400, seed: 7);

        foreach (double shrinkage in new[] { 0, 0.1 })
        {
            var objective = ShrunkObjective.Create(statistics, new DenseLinearMap(start, map.HasBias).WeightOf(start.Tensor.Factors.ToArray(), Bias(start)), shrinkage);
            var factors = Copy(start);
            var currentBias = Bias(start);
            double first = map.Value(objective, factors, currentBias), previous = first;
            for (int sweep = 0; sweep < 4; sweep++)
            {
                AlternatingLeastSquares.Sweep(map, objective, factors, currentBias, conjugateGradientSteps: 10);
                double value = map.Value(objective, factors, currentBias);
                Assert.IsLessThanOrEqualTo(previous * (1 + 1e-12), value, $"{name}, shrinkage {shrinkage}: sweep {sweep} raised the objective");
                previous = value;
            }
            Assert.IsLessThan(0.9 * first, previous, $"{name}, shrinkage {shrinkage}: four sweeps should cut the objective ({first} → {previous})");
        }
    }

    [TestMethod]
    public void FullRankAlternatingLeastSquaresReachesTheLeastSquaresFit()
    {
        // A TT with full ranks can hold any weight, so alternating least squares must reach the unconstrained fit: ‖W̃x̃ − y‖ → 0 for y = W*x̃.
        var start = RandomLayers.TensorTrainLinear(5, [2, 3], [3, 2], [1, 6, 1], new LinearOptions());
        var (map, statistics, truth) = RowsOfARandomWeight(start, rows: 200, seed: 9);
        var objective = ShrunkObjective.Create(statistics, truth, 0);
        var factors = Copy(start);
        var bias = Bias(start)!;
        for (int sweep = 0; sweep < 10; sweep++) AlternatingLeastSquares.Sweep(map, objective, factors, bias, conjugateGradientSteps: 60);
        Assert.IsLessThan(1e-8 * statistics.TargetEnergy, map.Value(objective, factors, bias));
    }

    [TestMethod]
    [DynamicData(nameof(Layers))]
    public void AGuardedSweepNeverRaisesTheHeldBackErrorAndStillFitsWhatGeneralises(string name, FactorizedWeight start)
    {
        var (map, training, truth) = RowsOfARandomWeight(start, rows: 400, seed: 7);
        var objective = ShrunkObjective.Create(training, truth, 0);
        var startBias = Bias(start);
        // Held-back rows that disagree with the training rows (the start's own weight: its error there is 0) and rows that
        // agree (the same random weight).
        var (_, disagreeing, _) = RowsOfAWeight(start, new DenseLinearMap(start, map.HasBias).WeightOf(start.Tensor.Factors.ToArray(), startBias), rows: 100, seed: 8);
        var (_, agreeing, _) = RowsOfAWeight(start, truth, rows: 100, seed: 8);
        foreach (var (heldBack, agrees) in new[] { (disagreeing, false), (agreeing, true) })
        {
            double HeldBack(double[][] f, double[]? b) => map.SumOfSquaredErrors(heldBack, f, b);
            var guarded = (Factors: Copy(start), Bias: (double[]?)startBias?.Clone());
            var free = (Factors: Copy(start), Bias: (double[]?)startBias?.Clone());
            double before = HeldBack(guarded.Factors, guarded.Bias);
            AlternatingLeastSquares.Sweep(map, objective, guarded.Factors, guarded.Bias, conjugateGradientSteps: 10, () => HeldBack(guarded.Factors, guarded.Bias));
            AlternatingLeastSquares.Sweep(map, objective, free.Factors, free.Bias, conjugateGradientSteps: 10);
            double guardedAfter = HeldBack(guarded.Factors, guarded.Bias), freeAfter = HeldBack(free.Factors, free.Bias);
            if (agrees)
            {
                Assert.IsLessThan(0.9 * before, guardedAfter, $"{name}: rows that agree must still be fitted ({before} → {guardedAfter})");
            }
            else
            {
                Assert.IsGreaterThan(before, freeAfter, $"{name}: the unguarded sweep should fit the training rows away from the held-back ones");
                Assert.IsLessThanOrEqualTo(before, guardedAfter, $"{name}: the guarded sweep raised the held-back error ({before} → {guardedAfter})");
            }
        }
    }

    /// <summary>A copy of the decomposition's factors, for a fit to change.</summary>
    private static double[][] Copy(FactorizedWeight weight) => weight.Tensor.Factors.Select(f => (double[])f.Clone()).ToArray();

    /// <summary>Random rows x̃ (with the constant column when the layer has a bias) and targets y = W*x̃ of a random weight W*.</summary>
    private static (FactorizedLinearMap Map, LayerStatistics Statistics, Matrix Truth) RowsOfARandomWeight(FactorizedWeight start, int rows, int seed)
    {
        var random = new Random(seed);
        var map = FactorizedLinearMap.Create(start, start.Layer.Bias is not null);
        var truth = new Matrix(map.Outputs, map.AugmentedInputs);
        for (int i = 0; i < truth.Data.Length; i++) truth.Data[i] = (2 * random.NextDouble()) - 1;
        return RowsOfAWeight(start, truth, rows, seed + 1000);
    }

    /// <summary>Random rows x̃ and targets y = W*x̃ of <paramref name="truth"/> (W* augmented with the bias column when the layer has one).</summary>
    private static (FactorizedLinearMap Map, LayerStatistics Statistics, Matrix Truth) RowsOfAWeight(FactorizedWeight start, Matrix truth, int rows, int seed)
    {
        var random = new Random(seed);
        bool bias = start.Layer.Bias is not null;
        var map = FactorizedLinearMap.Create(start, bias);
        var x = new Matrix(rows, map.AugmentedInputs);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (2 * random.NextDouble()) - 1;
        if (bias) for (int r = 0; r < rows; r++) x[r, map.Inputs] = 1;
        var statistics = new LayerStatistics(map.Inputs, map.Outputs, bias, expectedRows: rows);
        statistics.Add(x, Gemm.MultiplyTransposeB(x, truth));
        return (map, statistics, truth);
    }

    private static double[]? Bias(FactorizedWeight weight) => weight.Layer.Bias is { } b ? Array.ConvertAll(b, v => (double)v) : null;
}

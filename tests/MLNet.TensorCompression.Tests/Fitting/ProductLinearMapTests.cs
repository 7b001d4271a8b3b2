using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Decomposition;
using MLNet.TensorCompression.Tests.Emission;

namespace MLNet.TensorCompression.Tests.Fitting;

[TestClass]
public sealed class ProductLinearMapTests
{
    public static IEnumerable<object[]> SplitLayers =>
    [
        ["TT split linear", RandomLayers.TensorTrainSplitLinear(1, [4, 6], [5, 3], [1, 4, 5, 3, 1], new LinearOptions())],
        ["TT split linear, no bias", RandomLayers.TensorTrainSplitLinear(2, [4, 6], [5, 3], [1, 4, 5, 3, 1], new LinearOptions(Bias: false))],
        ["HT split linear", RandomLayers.HierarchicalTuckerSplitLinear(3, [4, 6], [5, 3], 4, new LinearOptions())],
        ["TT split conv", RandomLayers.TensorTrainSplitConv(4, [4, 4], [2, 3], 3, 3, [1, 2, 5, 6, 3, 1], new ConvOptions())],
        ["TT split conv, no bias", RandomLayers.TensorTrainSplitConv(5, [4, 4], [2, 3], 3, 3, [1, 2, 5, 6, 3, 1], new ConvOptions(Bias: false))],
    ];

    [TestMethod]
    [DynamicData(nameof(SplitLayers))]
    public void TheProductFormAgreesWithTheRebuiltWeight(string name, FactorizedWeight weight)
    {
        bool hasBias = weight.Layer.Bias is not null;
        var product = FactorizedLinearMap.Create(weight, hasBias);
        Assert.IsInstanceOfType<ProductLinearMap>(product, name);
        var dense = new DenseLinearMap(weight, hasBias);
        var random = new Random(11);
        var factors = weight.Tensor.Factors.Select(f => RandomTensors.Perturbed(random, f, 0.3)).ToArray();
        double[]? bias = hasBias ? RandomTensors.Gaussian(random, dense.Outputs) : null;
        // Fewer rows than inputs (kept) and more (a Gram matrix); the original a different random weight, so no term vanishes.
        foreach (int rows in new[] { dense.AugmentedInputs - 3, 4 * dense.AugmentedInputs })
        {
            var statistics = RandomRows(random, dense, rows);
            var original = new Matrix(dense.Outputs, dense.AugmentedInputs, RandomTensors.Gaussian(random, (long)dense.Outputs * dense.AugmentedInputs));
            var objective = ShrunkObjective.Create(statistics, original, 0.1);
            string where = $"{name}, {rows} rows";

            AssertClose(dense.Value(objective, factors, bias), product.Value(objective, factors, bias), $"{where}: value");
            AssertClose(dense.SumOfSquaredErrors(statistics, factors, bias), product.SumOfSquaredErrors(statistics, factors, bias), $"{where}: error");
            AssertClose(dense.TimesInputSum(factors, statistics), product.TimesInputSum(factors, statistics), $"{where}: W·Σx");
            var (denseFactors, denseBias) = dense.Gradient(objective, factors, bias);
            var (productFactors, productBias) = product.Gradient(objective, factors, bias);
            for (int k = 0; k < factors.Length; k++) AssertClose(denseFactors[k], productFactors[k], $"{where}: gradient of factor {k}");
            if (hasBias) AssertClose(denseBias!, productBias!, $"{where}: gradient of the bias");
            else Assert.IsNull(productBias, where);
            for (int k = 0; k < factors.Length; k++)
            {
                var direction = RandomTensors.Gaussian(random, factors[k].Length);
                AssertClose(dense.Curvature(objective, factors, k, direction), product.Curvature(objective, factors, k, direction), $"{where}: curvature in factor {k}");
            }
        }
    }

    [TestMethod]
    public void LayersWithoutANarrowOutputBondAreRebuilt()
    {
        // An HT kernel's root separates input channels, not outputs; an interleaved layout has no side at all; and a
        // bond as wide as the outputs saves nothing.
        var htConv = RandomLayers.HierarchicalTuckerSplitConv(6, [4, 4], [2, 3], 3, 3, 3, new ConvOptions());
        var interleaved = RandomLayers.TensorTrainLinear(7, [4, 6], [5, 3], [1, 6, 1], new LinearOptions());
        var wide = RandomLayers.TensorTrainSplitLinear(8, [2, 2], [5, 3], [1, 2, 4, 3, 1], new LinearOptions());
        Assert.IsInstanceOfType<DenseLinearMap>(FactorizedLinearMap.Create(htConv, hasBias: true));
        Assert.IsInstanceOfType<DenseLinearMap>(FactorizedLinearMap.Create(interleaved, hasBias: true));
        Assert.IsInstanceOfType<DenseLinearMap>(FactorizedLinearMap.Create(wide, hasBias: true));
    }

    private static LayerStatistics RandomRows(Random random, FactorizedLinearMap map, int rows)
    {
        var x = new Matrix(rows, map.AugmentedInputs, RandomTensors.Gaussian(random, (long)rows * map.AugmentedInputs));
        if (map.HasBias) for (int r = 0; r < rows; r++) x[r, map.Inputs] = 1;
        var y = new Matrix(rows, map.Outputs, RandomTensors.Gaussian(random, (long)rows * map.Outputs));
        var statistics = new LayerStatistics(map.Inputs, map.Outputs, map.HasBias, expectedRows: rows);
        statistics.Add(x, y);
        return statistics;
    }

    private static void AssertClose(double expected, double actual, string message) =>
        Assert.AreEqual(expected, actual, 1e-9 * Math.Abs(expected), message);

    private static void AssertClose(double[] expected, double[] actual, string message)
    {
        Assert.HasCount(expected.Length, actual, message);
        Assert.IsLessThan(1e-9, RandomTensors.RelativeDistance(expected, actual), message);
    }
}

using MathNet.Numerics.LinearAlgebra;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class TensorTrainTests
{
    [TestMethod]
    [DataRow(new[] { 4, 5, 6, 3 }, new[] { 1, 3, 4, 2, 1 })]
    [DataRow(new[] { 7, 2, 9 }, new[] { 1, 5, 6, 1 })]
    [DataRow(new[] { 3, 3, 3, 3, 3, 3 }, new[] { 1, 2, 3, 3, 3, 2, 1 })]
    public void RecoversTensorOfExactRanks(int[] modeSizes, int[] ranks)
    {
        var original = RandomTensors.TensorTrainOfRanks(new Random(7), modeSizes, ranks);
        var dense = original.ToDense();

        var result = TensorTrain.Decompose(dense, modeSizes, Truncation.ToTolerance(1e-9));

        CollectionAssert.AreEqual(ranks, result.Value.Ranks.ToArray(), "TT-SVD finds the exact ranks");
        Assert.IsLessThan(1e-5, RandomTensors.RelativeDistance(dense, result.Value.ToDense()));
        Assert.IsLessThan(1e-6, result.RelativeError);
    }

    [TestMethod]
    public void RankCapIsRespectedAndErrorIsReportedExactly()
    {
        var random = new Random(3);
        int[] modes = [6, 5, 4, 7];
        var dense = RandomTensors.Gaussian(random, 6 * 5 * 4 * 7);

        var result = TensorTrain.Decompose(dense, modes, Truncation.ToRank(3));

        Assert.IsTrue(result.Value.Ranks.All(r => r <= 3));
        double measured = RandomTensors.RelativeDistance(dense, result.Value.ToDense());
        Assert.AreEqual(measured, result.RelativeError, 1e-9, "reported error equals the reconstruction error");
        Assert.AreEqual(6 * 3 + 3 * 5 * 3 + 3 * 4 * 3 + 3 * 7, result.Value.ParameterCount);
    }

    [TestMethod]
    public void PerBondRankCapsApply()
    {
        var dense = RandomTensors.Gaussian(new Random(4), 4 * 4 * 4 * 4);
        var result = TensorTrain.Decompose(dense, [4, 4, 4, 4], new Truncation { MaxRanks = [2, 5, 3] });
        CollectionAssert.AreEqual(new[] { 1, 2, 5, 3, 1 }, result.Value.Ranks.ToArray());
    }

    [TestMethod]
    public void ToleranceBoundHoldsOnRandomTensors()
    {
        // Property check over many seeds, shapes and tolerances: the guarantee is ‖A − Â‖ ≤ ε‖A‖.
        for (int seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            int d = 2 + seed % 4;
            var modes = Enumerable.Range(0, d).Select(_ => random.Next(2, 7)).ToArray();
            var dense = RandomTensors.Gaussian(random, modes.Aggregate(1L, (a, b) => a * b));
            double tolerance = new[] { 0.05, 0.2, 0.5, 0.8 }[seed % 4];

            var result = TensorTrain.Decompose(dense, modes, Truncation.ToTolerance(tolerance));

            double measured = RandomTensors.RelativeDistance(dense, result.Value.ToDense());
            Assert.IsLessThanOrEqualTo(tolerance * (1 + 1e-9), measured, $"seed {seed}, modes [{string.Join(",", modes)}], ε {tolerance}");
            Assert.AreEqual(measured, result.RelativeError, 1e-8, $"seed {seed}: reported error");
            Assert.IsTrue(result.ToleranceMet);
        }
    }

    [TestMethod]
    [DataRow(30, 20, 4)]
    [DataRow(9, 40, 1)]
    [DataRow(64, 64, 10)]
    public void TwoModesGiveTheBestRankRApproximation(int rows, int cols, int rank)
    {
        var dense = RandomTensors.Gaussian(new Random(rows + cols), rows * cols);
        var singularValues = Matrix<double>.Build.Dense(cols, rows, dense).Transpose().Svd(false).S.ToArray();
        double optimal = Math.Sqrt(singularValues.Skip(rank).Sum(s => s * s) / singularValues.Sum(s => s * s));

        var result = TensorTrain.Decompose(dense, [rows, cols], Truncation.ToRank(rank));

        Assert.AreEqual(optimal, RandomTensors.RelativeDistance(dense, result.Value.ToDense()), 1e-9, "Eckart–Young optimum");
    }

    [TestMethod]
    public void SingleModeIsKeptAsIs()
    {
        double[] dense = [1, 2, 3];
        var result = TensorTrain.Decompose(dense, [3], Truncation.ToRank(1));
        CollectionAssert.AreEqual(dense, result.Value.ToDense());
        Assert.AreEqual(0, result.RelativeError);
    }

    [TestMethod]
    public void ZeroTensorDecomposesToZero()
    {
        var result = TensorTrain.Decompose(new double[24], [2, 3, 4], Truncation.ToTolerance(0.1));
        Assert.AreEqual(0, result.RelativeError);
        Assert.IsTrue(result.Value.ToDense().All(v => v == 0));
    }

    [TestMethod]
    public void InputIsNotModified()
    {
        var dense = RandomTensors.Gaussian(new Random(5), 5 * 6 * 7);
        var copy = (double[])dense.Clone();
        TensorTrain.Decompose(dense, [5, 6, 7], Truncation.ToRank(2));
        CollectionAssert.AreEqual(copy, dense);
    }

    [TestMethod]
    public void InvalidArgumentsAreNamed()
    {
        var dense = new double[12];
        var rank = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TensorTrain.Decompose(dense, [3, 4], Truncation.ToRank(0)));
        Assert.AreEqual("MaxRank", rank.ParamName);
        var negative = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TensorTrain.Decompose(dense, [3, 4], Truncation.ToTolerance(-0.1)));
        Assert.AreEqual("Tolerance", negative.ParamName);
        var nan = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TensorTrain.Decompose(dense, [3, 4], Truncation.ToTolerance(double.NaN)));
        Assert.AreEqual("Tolerance", nan.ParamName);
        var bonds = Assert.ThrowsExactly<ArgumentException>(() => TensorTrain.Decompose(dense, [3, 4], new Truncation { MaxRanks = [1, 2] }));
        Assert.Contains("1 bond", bonds.Message);
        var shape = Assert.ThrowsExactly<ArgumentException>(() => TensorTrain.Decompose(dense, [3, 5], Truncation.ToRank(1)));
        Assert.Contains("15 elements", shape.Message);

        dense[5] = double.NaN;
        var notFinite = Assert.ThrowsExactly<ArgumentException>(() => TensorTrain.Decompose(dense, [3, 4], Truncation.ToRank(1)));
        Assert.Contains("element 5", notFinite.Message);
        dense[5] = double.PositiveInfinity;
        Assert.Contains("element 5", Assert.ThrowsExactly<ArgumentException>(() => TensorTrain.Decompose(dense, [3, 4], Truncation.ToRank(1))).Message);
    }

    [TestMethod]
    public void ConstructorRejectsCoresOfTheWrongSize()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new TensorTrain([2, 3], [1, 2, 1], [new double[4], new double[5]]));
        Assert.Contains("Core 1", error.Message);
    }
}

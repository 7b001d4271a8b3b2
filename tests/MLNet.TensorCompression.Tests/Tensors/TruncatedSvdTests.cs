using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Tensors;

[TestClass]
public sealed class TruncatedSvdTests
{
    private static readonly double[] KnownRankSigma = [9.0, 7.5, 4.0, 2.5, 1.0];

    // Methods are passed by name: SvdMethod is internal and test methods are public.
    // Each method on short-fat and tall shapes; the exact ones cover both the direct and the QR-first paths.
    public static IEnumerable<object[]> MethodShapes =>
    [
        [nameof(SvdMethod.Exact), 40, 50],
        [nameof(SvdMethod.Exact), 50, 40],
        [nameof(SvdMethod.Exact), 30, 200],
        [nameof(SvdMethod.Exact), 200, 30],
        [nameof(SvdMethod.Gram), 30, 400],
        [nameof(SvdMethod.Gram), 400, 30],
        [nameof(SvdMethod.Gram), 60, 70],
        [nameof(SvdMethod.Randomized), 300, 350],
        [nameof(SvdMethod.Randomized), 350, 300],
        [nameof(SvdMethod.Randomized), 80, 1000],
    ];

    [TestMethod]
    [DynamicData(nameof(MethodShapes))]
    public void KnownRankMatrixIsReconstructed(string methodName, int rows, int cols)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        Matrix a = TestMatrices.WithSingularValues(rows, cols, KnownRankSigma, seed: rows + cols);
        TruncatedSvdResult svd = TruncatedSvd.Compute(a, maxRank: 8, maxDiscardedNormSquared: 0, forceMethod: method);

        Assert.AreEqual(method, svd.Method);
        Assert.AreEqual(KnownRankSigma.Length, svd.Rank);
        AssertShapes(svd, rows, cols);
        double relativeError = ReconstructionError(a, svd) / Math.Sqrt(TestMatrices.NormSquared(a));
        double allowed = method == SvdMethod.Gram ? 1e-6 : 1e-10;
        Assert.IsTrue(relativeError <= allowed, $"relative error {relativeError:E3}");
        AssertOrthonormalColumns(svd.U);
        for (int i = 0; i < KnownRankSigma.Length; i++)
        {
            Assert.AreEqual(KnownRankSigma[i], svd.SingularValues[i], 1e-9 * KnownRankSigma[0], $"σ{i}");
        }
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Gram), 40, 600)]
    [DataRow(nameof(SvdMethod.Gram), 600, 40)]
    [DataRow(nameof(SvdMethod.Randomized), 300, 400)]
    [DataRow(nameof(SvdMethod.Randomized), 400, 300)]
    public void SingularValuesMatchExactMethodOnGeneralMatrix(string methodName, int rows, int cols)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        // A random matrix with a decaying spectrum: the leading values are well separated from the tail.
        double[] sigma = Enumerable.Range(0, 40).Select(i => Math.Pow(0.7, i)).ToArray();
        Matrix a = TestMatrices.WithSingularValues(rows, cols, sigma, seed: 11);
        const int cap = 12;
        TruncatedSvdResult exact = TruncatedSvd.Compute(a, cap, 0, forceMethod: SvdMethod.Exact);
        TruncatedSvdResult other = TruncatedSvd.Compute(a, cap, 0, forceMethod: method);

        Assert.AreEqual(cap, other.Rank);
        AssertOrthonormalColumns(other.U);
        for (int i = 0; i < cap; i++)
        {
            Assert.AreEqual(exact.SingularValues[i], other.SingularValues[i], 1e-8 * exact.SingularValues[0], $"σ{i}");
        }

        Assert.AreEqual(exact.DiscardedNormSquared, other.DiscardedNormSquared, 1e-8 * TestMatrices.NormSquared(a));
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Exact), 60, 50)]
    [DataRow(nameof(SvdMethod.Gram), 30, 500)]
    [DataRow(nameof(SvdMethod.Gram), 500, 30)]
    [DataRow(nameof(SvdMethod.Randomized), 300, 340)]
    public void ToleranceSelectsTheRankOfAPrescribedSpectrum(string methodName, int rows, int cols)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        // σᵢ = 2^-i: the tail after r values is Σ_{i≥r} 4^-i, so a budget just above or below it decides r exactly.
        double[] sigma = Enumerable.Range(0, 24).Select(i => Math.Pow(2, -i)).ToArray();
        Matrix a = TestMatrices.WithSingularValues(rows, cols, sigma, seed: 5);
        foreach (int expected in new[] { 1, 4, 10 })
        {
            double tail = sigma.Skip(expected).Sum(s => s * s);
            Assert.AreEqual(expected, TruncatedSvd.Compute(a, 20, tail * 1.01, forceMethod: method).Rank, $"budget just above the tail of {expected}");
            Assert.AreEqual(expected + 1, TruncatedSvd.Compute(a, 20, tail * 0.99, forceMethod: method).Rank, $"budget just below the tail of {expected}");
        }

        Assert.AreEqual(3, TruncatedSvd.Compute(a, 3, 0, forceMethod: method).Rank, "the cap wins over a budget of 0");
        Assert.AreEqual(1, TruncatedSvd.Compute(a, 20, double.PositiveInfinity, forceMethod: method).Rank, "rank is at least 1");
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Exact))]
    [DataRow(nameof(SvdMethod.Gram))]
    [DataRow(nameof(SvdMethod.Randomized))]
    public void DiscardedNormSquaredEqualsTheProjectionResidual(string methodName)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        Matrix a = TestMatrices.Uniform(70, 300, 21);
        TruncatedSvdResult svd = TruncatedSvd.Compute(a, 9, 0, forceMethod: method);

        // ‖A − U·Uᵀ·A‖² computed directly.
        Matrix projection = Gemm.Multiply(svd.U, Gemm.TransposeAMultiply(svd.U, a));
        double residual = 0;
        for (int i = 0; i < a.Data.Length; i++)
        {
            double d = a.Data[i] - projection.Data[i];
            residual += d * d;
        }

        Assert.AreEqual(residual, svd.DiscardedNormSquared, 1e-10 * TestMatrices.NormSquared(a));
        if (method != SvdMethod.Randomized)
        {
            // The randomized method approximates the top subspace; the others find it.
            Assert.AreEqual(residual, TruncatedSvd.Compute(a, 9, 0, forceMethod: SvdMethod.Exact).DiscardedNormSquared, 1e-9 * TestMatrices.NormSquared(a));
        }
    }

    [TestMethod]
    public void FullRankKeepsEverythingWithAZeroBudget()
    {
        Matrix a = TestMatrices.Uniform(23, 17, 4);
        TruncatedSvdResult svd = TruncatedSvd.Compute(a, int.MaxValue, 0);
        Assert.AreEqual(SvdMethod.Exact, svd.Method);
        Assert.AreEqual(17, svd.Rank);
        Assert.IsTrue(ReconstructionError(a, svd) <= 1e-12 * Math.Sqrt(TestMatrices.NormSquared(a)));
        Assert.AreEqual(0.0, svd.DiscardedNormSquared, 1e-12 * TestMatrices.NormSquared(a));
    }

    [TestMethod]
    public void IllConditionedTallGramStillReturnsOrthonormalU()
    {
        // U = A·V·diag(1/σ) loses orthogonality like eps·(σ₁/σᵢ)²; the repair step must restore it.
        double[] sigma = Enumerable.Range(0, 30).Select(i => Math.Pow(10, -i / 5.0)).ToArray();
        Matrix a = TestMatrices.WithSingularValues(1500, 30, sigma, seed: 8);
        TruncatedSvdResult svd = TruncatedSvd.Compute(a, 30, 0, forceMethod: SvdMethod.Gram);

        Assert.IsTrue(svd.Rank >= 25, $"rank {svd.Rank}");
        AssertOrthonormalColumns(svd.U);
        Assert.IsTrue(ReconstructionError(a, svd) <= 1e-6 * sigma[0]);
    }

    [TestMethod]
    public void ChooseMethodFollowsTheShapeRule()
    {
        Assert.AreEqual(SvdMethod.Gram, TruncatedSvd.ChooseMethod(100, 100_000, int.MaxValue));
        Assert.AreEqual(SvdMethod.Gram, TruncatedSvd.ChooseMethod(100_000, 100, 20));
        Assert.AreEqual(SvdMethod.Randomized, TruncatedSvd.ChooseMethod(4000, 4000, 32));
        Assert.AreEqual(SvdMethod.Exact, TruncatedSvd.ChooseMethod(300, 300, int.MaxValue));
        Assert.AreEqual(SvdMethod.Exact, TruncatedSvd.ChooseMethod(4000, 4000, 2000));
        Assert.AreEqual(SvdMethod.Randomized, TruncatedSvd.ChooseMethod(2048, 1_000_000, 32), "a thin sketch beats a 2048² Gram matrix");
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Exact))]
    [DataRow(nameof(SvdMethod.Gram))]
    [DataRow(nameof(SvdMethod.Randomized))]
    public void ZeroMatrixGivesRankOne(string methodName)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        TruncatedSvdResult svd = TruncatedSvd.Compute(new Matrix(20, 9), 5, 0, forceMethod: method);
        Assert.AreEqual(1, svd.Rank);
        Assert.AreEqual(0.0, svd.SingularValues[0]);
        Assert.AreEqual(0.0, svd.DiscardedNormSquared);
        AssertShapes(svd, 20, 9);
        AssertOrthonormalColumns(svd.U);
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Exact))]
    [DataRow(nameof(SvdMethod.Gram))]
    [DataRow(nameof(SvdMethod.Randomized))]
    public void TinyShapesWork(string methodName)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        foreach (var (rows, cols) in new[] { (1, 1), (1, 9), (9, 1), (2, 3), (3, 2) })
        {
            Matrix a = TestMatrices.Uniform(rows, cols, rows * 10 + cols);
            TruncatedSvdResult svd = TruncatedSvd.Compute(a, int.MaxValue, 0, forceMethod: method);
            AssertShapes(svd, rows, cols);
            AssertOrthonormalColumns(svd.U);
            Assert.IsTrue(ReconstructionError(a, svd) <= 1e-7 * Math.Sqrt(TestMatrices.NormSquared(a)), $"{rows}×{cols}");
        }
    }

    [TestMethod]
    public void NormUnderflowThrowsInsteadOfPassingForZero()
    {
        var a = new Matrix(2, 2);
        a[0, 1] = 1e-200;
        var e = Assert.ThrowsExactly<ArgumentException>(() => TruncatedSvd.Compute(a, 1, 0));
        Assert.AreEqual("a", e.ParamName);
    }

    [TestMethod]
    public void RandomizedIsDeterministicForASeed()
    {
        Matrix a = TestMatrices.Uniform(300, 320, 31);
        TruncatedSvdResult first = TruncatedSvd.Compute(a, 10, 0, seed: 7, forceMethod: SvdMethod.Randomized);
        TruncatedSvdResult second = TruncatedSvd.Compute(a, 10, 0, seed: 7, forceMethod: SvdMethod.Randomized);
        CollectionAssert.AreEqual(first.SingularValues, second.SingularValues);
        CollectionAssert.AreEqual(first.U.Data, second.U.Data);
        CollectionAssert.AreEqual(first.Vt.Data, second.Vt.Data);
    }

    [TestMethod]
    [DataRow(nameof(SvdMethod.Exact))]
    [DataRow(nameof(SvdMethod.Gram))]
    [DataRow(nameof(SvdMethod.Randomized))]
    public void InputIsNotModified(string methodName)
    {
        SvdMethod method = Enum.Parse<SvdMethod>(methodName);
        Matrix a = TestMatrices.Uniform(50, 70, 41);
        Matrix copy = a.Clone();
        _ = TruncatedSvd.Compute(a, 5, 0, forceMethod: method);
        CollectionAssert.AreEqual(copy.Data, a.Data);
    }

    [TestMethod]
    public void InvalidArgumentsThrowNamingTheParameter()
    {
        var a = new Matrix(3, 4);
        Assert.AreEqual("maxRank", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(a, 0, 0)).ParamName);
        Assert.AreEqual("maxDiscardedNormSquared", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(a, 1, -1e-30)).ParamName);
        Assert.AreEqual("maxDiscardedNormSquared", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(a, 1, double.NaN)).ParamName);
        Assert.AreEqual("a", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(new Matrix(0, 4), 1, 0)).ParamName);
        Assert.AreEqual("rows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.ChooseMethod(0, 4, 1)).ParamName);
        Assert.AreEqual("cols", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.ChooseMethod(4, -1, 1)).ParamName);
        Assert.AreEqual("maxRank", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.ChooseMethod(4, 4, 0)).ParamName);
        Assert.AreEqual("forceMethod", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(a, 1, 0, forceMethod: (SvdMethod)42)).ParamName);
    }

    [TestMethod]
    [DataRow(double.NaN)]
    [DataRow(double.PositiveInfinity)]
    [DataRow(double.NegativeInfinity)]
    public void NonFiniteEntriesThrow(double bad)
    {
        Matrix a = TestMatrices.Uniform(6, 5, 2);
        a[3, 1] = bad;
        var e = Assert.ThrowsExactly<ArgumentException>(() => TruncatedSvd.Compute(a, 2, 0));
        Assert.AreEqual("a", e.ParamName);
        StringAssert.Contains(e.Message, "matrix contains NaN or infinity");
    }

    private static void AssertShapes(TruncatedSvdResult svd, int rows, int cols)
    {
        Assert.AreEqual(rows, svd.U.Rows);
        Assert.AreEqual(svd.Rank, svd.U.Cols);
        Assert.AreEqual(svd.Rank, svd.SingularValues.Length);
        Assert.AreEqual(svd.Rank, svd.Vt.Rows);
        Assert.AreEqual(cols, svd.Vt.Cols);
        for (int i = 1; i < svd.Rank; i++)
        {
            Assert.IsTrue(svd.SingularValues[i] <= svd.SingularValues[i - 1], "descending");
        }
    }

    private static void AssertOrthonormalColumns(Matrix u)
    {
        double error = TestMatrices.OrthonormalityError(u);
        Assert.IsTrue(error <= 1e-10, $"max |UᵀU − I| = {error:E3}");
    }

    /// <summary>‖A − U·diag(σ)·Vt‖_F computed naively.</summary>
    private static double ReconstructionError(Matrix a, TruncatedSvdResult svd)
    {
        double sum = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            for (int j = 0; j < a.Cols; j++)
            {
                double approx = 0;
                for (int t = 0; t < svd.Rank; t++)
                {
                    approx += svd.U[i, t] * svd.SingularValues[t] * svd.Vt[t, j];
                }

                double d = a[i, j] - approx;
                sum += d * d;
            }
        }

        return Math.Sqrt(sum);
    }
}

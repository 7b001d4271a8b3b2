using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Tensors;

[TestClass]
public sealed class GemmTests
{
    // Odd sizes around the SIMD width and the micro-tile, plus cases that cross the depth block (256), the column
    // block (512), the row block (128) and the depth-split path (small output, long depth).
    public static IEnumerable<object[]> Shapes =>
    [
        [1, 1, 1],
        [7, 33, 1],
        [33, 7, 257],
        [257, 33, 7],
        [1, 257, 33],
        [33, 257, 257],
        [257, 257, 33],
        [9, 17, 600],
        [130, 70, 2100],
        [300, 1030, 40],
    ];

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void MultiplyMatchesNaive(int m, int n, int k)
    {
        Matrix a = TestMatrices.Uniform(m, k, 1);
        Matrix b = TestMatrices.Uniform(k, n, 2);
        Matrix expected = TestMatrices.NaiveProduct(m, n, k, (i, p) => a[i, p], (p, j) => b[p, j]);
        AssertClose(expected, Gemm.Multiply(a, b), k);
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void TransposeAMultiplyMatchesNaive(int m, int n, int k)
    {
        Matrix a = TestMatrices.Uniform(k, m, 3);
        Matrix b = TestMatrices.Uniform(k, n, 4);
        Matrix expected = TestMatrices.NaiveProduct(m, n, k, (i, p) => a[p, i], (p, j) => b[p, j]);
        AssertClose(expected, Gemm.TransposeAMultiply(a, b), k);
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void MultiplyTransposeBMatchesNaive(int m, int n, int k)
    {
        Matrix a = TestMatrices.Uniform(m, k, 5);
        Matrix b = TestMatrices.Uniform(n, k, 6);
        Matrix expected = TestMatrices.NaiveProduct(m, n, k, (i, p) => a[i, p], (p, j) => b[j, p]);
        AssertClose(expected, Gemm.MultiplyTransposeB(a, b), k);
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void GramMatchesNaiveAndIsSymmetric(int m, int n, int k)
    {
        _ = n;
        Matrix a = TestMatrices.Uniform(m, k, 7);
        Matrix expected = TestMatrices.NaiveProduct(m, m, k, (i, p) => a[i, p], (p, j) => a[j, p]);
        Matrix gram = Gemm.Gram(a);
        AssertClose(expected, gram, k);
        AssertExactlySymmetric(gram);
    }

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void GramOfColumnsMatchesNaiveAndIsSymmetric(int m, int n, int k)
    {
        _ = n;
        Matrix a = TestMatrices.Uniform(k, m, 8);
        Matrix expected = TestMatrices.NaiveProduct(m, m, k, (i, p) => a[p, i], (p, j) => a[p, j]);
        Matrix gram = Gemm.GramOfColumns(a);
        AssertClose(expected, gram, k);
        AssertExactlySymmetric(gram);
    }

    [TestMethod]
    [DataRow(700, 90, 5)]   // output blocks
    [DataRow(3000, 40, 40)] // depth split between workers: the first part adds to the sum, the others start afresh
    public void AddingIntoASumAddsTheProductToWhatWasThere(int k, int m, int n)
    {
        Matrix a = TestMatrices.Uniform(k, m, 3), b = TestMatrices.Uniform(k, n, 4);
        var start = TestMatrices.Uniform(m, m, 5);
        var symmetricStart = Gemm.GramOfColumns(start);
        Matrix gram = symmetricStart.Clone(), cross = TestMatrices.Uniform(m, n, 6);
        var crossStart = cross.Clone();
        Gemm.AddGramOfColumns(a, gram);
        Gemm.AddTransposeAMultiply(a, b, cross);
        var expectedGram = Gemm.GramOfColumns(a);
        System.Numerics.Tensors.TensorPrimitives.Add(expectedGram.Data, symmetricStart.Data, expectedGram.Data);
        var expectedCross = Gemm.TransposeAMultiply(a, b);
        System.Numerics.Tensors.TensorPrimitives.Add(expectedCross.Data, crossStart.Data, expectedCross.Data);
        AssertClose(expectedGram, gram, k + m);
        AssertExactlySymmetric(gram);
        AssertClose(expectedCross, cross, k);
        Assert.Contains($"product is {m}×{n}", Assert.ThrowsExactly<ArgumentException>(() => Gemm.AddTransposeAMultiply(a, b, new Matrix(m, n + 1))).Message);
    }

    [TestMethod]
    public void EmptyDimensionsGiveZeroOrEmptyResults()
    {
        Matrix product = Gemm.Multiply(new Matrix(3, 0), new Matrix(0, 4));
        Assert.AreEqual(3, product.Rows);
        Assert.AreEqual(4, product.Cols);
        Assert.IsTrue(product.Data.All(x => x == 0));
        Assert.AreEqual(0, Gemm.Gram(new Matrix(0, 5)).Data.Length);
    }

    [TestMethod]
    public void MismatchedInnerDimensionsThrow()
    {
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.Multiply(new Matrix(2, 3), new Matrix(4, 2)));
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.TransposeAMultiply(new Matrix(2, 3), new Matrix(3, 2)));
        Assert.ThrowsExactly<ArgumentException>(() => Gemm.MultiplyTransposeB(new Matrix(2, 3), new Matrix(2, 4)));
    }

    [TestMethod]
    public void InputsAreNotModified()
    {
        Matrix a = TestMatrices.Uniform(40, 300, 9);
        Matrix copy = a.Clone();
        _ = Gemm.Gram(a);
        _ = Gemm.GramOfColumns(a);
        _ = Gemm.Multiply(a, a.Transpose());
        CollectionAssert.AreEqual(copy.Data, a.Data);
    }

    private static void AssertClose(Matrix expected, Matrix actual, int depth)
    {
        // Entries are sums of depth products of values in [-0.5, 0.5].
        double difference = TestMatrices.MaxAbsDifference(expected, actual);
        Assert.IsTrue(difference <= 1e-14 * Math.Max(depth, 1), $"max |difference| = {difference:E3}");
    }

    private static void AssertExactlySymmetric(Matrix g)
    {
        for (int i = 0; i < g.Rows; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.AreEqual(g[i, j], g[j, i], 0.0);
            }
        }
    }
}

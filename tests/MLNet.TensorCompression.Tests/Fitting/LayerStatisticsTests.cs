using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Fitting;

[TestClass]
public sealed class LayerStatisticsTests
{
    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void GramFormEqualsRowFormAndTheSumOverRows(bool bias)
    {
        const int inputs = 7, outputs = 3, rows = 53;
        var random = new Random(4);
        var x = RandomMatrix(random, rows, inputs + (bias ? 1 : 0));
        if (bias) for (int r = 0; r < rows; r++) x[r, inputs] = 1;
        var y = RandomMatrix(random, rows, outputs);
        var gram = new LayerStatistics(inputs, outputs, bias, expectedRows: rows);
        var kept = new LayerStatistics(inputs, outputs, bias, expectedRows: 0);
        Assert.IsFalse(gram.KeepsRows);
        Assert.IsTrue(kept.KeepsRows);
        // Fed in uneven chunks, as batches arrive.
        foreach (var (start, count) in new[] { (0, 20), (20, 1), (21, 32) })
        {
            gram.Add(Rows(x, start, count), Rows(y, start, count));
            kept.Add(Rows(x, start, count), Rows(y, start, count));
        }

        var weight = RandomMatrix(random, outputs, x.Cols);
        double byRows = 0;
        var predicted = Gemm.MultiplyTransposeB(x, weight);
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outputs; o++)
            byRows += (predicted[r, o] - y[r, o]) * (predicted[r, o] - y[r, o]);

        Assert.AreEqual(rows, gram.RowCount);
        Assert.AreEqual(byRows, gram.SumOfSquaredErrors(weight), 1e-9 * byRows, "Gram form");
        Assert.AreEqual(byRows, kept.SumOfSquaredErrors(weight), 1e-9 * byRows, "row form");
        var gramGradient = gram.Gradient(gram.TimesGram(weight));
        var rowGradient = kept.Gradient(kept.TimesGram(weight));
        // The gradient 2(W̃C − Mᵀ) against 2·Σ (W̃x̃ − y) x̃ᵀ.
        var residual = new Matrix(rows, outputs);
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outputs; o++)
            residual[r, o] = 2 * (predicted[r, o] - y[r, o]);
        var expected = Gemm.TransposeAMultiply(residual, x);
        for (int i = 0; i < expected.Data.Length; i++)
        {
            Assert.AreEqual(expected.Data[i], gramGradient.Data[i], 1e-9 * Math.Max(1, Math.Abs(expected.Data[i])));
            Assert.AreEqual(expected.Data[i], rowGradient.Data[i], 1e-9 * Math.Max(1, Math.Abs(expected.Data[i])));
        }
    }

    [TestMethod]
    public void TheExactErrorOfManyKeptRowsIsTheSumOverRows()
    {
        // More kept rows than TimesGram's principal directions, fewer than inputs: the held-back error must still be exact.
        const int inputs = 400, outputs = 3;
        int rows = LayerStatistics.PrincipalRows + 60;
        var random = new Random(5);
        var x = RandomMatrix(random, rows, inputs);
        var y = RandomMatrix(random, rows, outputs);
        var kept = new LayerStatistics(inputs, outputs, hasBias: false, expectedRows: rows);
        Assert.IsTrue(kept.KeepsRows);
        kept.Add(x, y);
        // The estimate from the principal directions misses what the weight does along the others.
        var weight = RandomMatrix(random, outputs, inputs);
        var predicted = Gemm.MultiplyTransposeB(x, weight);
        double byRows = 0;
        for (int i = 0; i < predicted.Data.Length; i++) byRows += Math.Pow(predicted.Data[i] - y.Data[i], 2);
        Assert.AreEqual(byRows, kept.ExactSumOfSquaredErrors(weight), 1e-9 * byRows);
        Assert.AreNotEqual(byRows, kept.SumOfSquaredErrors(weight), 1e-3 * byRows, "the estimate differs here, or this test shows nothing");
    }

    [TestMethod]
    public void MiniBatchDrawsFromTheKeptRowsOnly()
    {
        var random = new Random(1);
        // Ten copies of one row: any six of them hold six tenths of every sum.
        var row = RandomMatrix(random, 1, 6);
        var target = RandomMatrix(random, 1, 2);
        var kept = new LayerStatistics(6, 2, hasBias: false, expectedRows: 0);
        for (int i = 0; i < 10; i++) kept.Add(row, target);
        var batch = kept.MiniBatch(6, random);
        Assert.AreEqual(6, batch.RowCount);
        Assert.AreEqual(0.6 * kept.TargetEnergy, batch.TargetEnergy, 1e-12);
        Assert.AreEqual(0.6 * kept.InputEnergy, batch.InputEnergy, 1e-12);
        var gram = new LayerStatistics(6, 2, hasBias: false, expectedRows: 10);
        gram.Add(row, target);
        Assert.Contains("kept", Assert.ThrowsExactly<InvalidOperationException>(() => gram.MiniBatch(2, random)).Message);
    }

    private static Matrix RandomMatrix(Random random, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (2 * random.NextDouble()) - 1;
        return m;
    }

    private static Matrix Rows(Matrix m, int start, int count) => new(count, m.Cols, m.Data[(start * m.Cols)..((start + count) * m.Cols)]);
}

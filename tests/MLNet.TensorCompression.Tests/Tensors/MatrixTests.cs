using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Tensors;

[TestClass]
public sealed class MatrixTests
{
    [TestMethod]
    public void ConstructorWrapsDataWithoutCopy()
    {
        double[] data = [1, 2, 3, 4, 5, 6];
        var m = new Matrix(2, 3, data);
        Assert.AreSame(data, m.Data);
        Assert.AreEqual(6.0, m[1, 2]);
        m[0, 1] = 20;
        Assert.AreEqual(20.0, data[1]);
    }

    [TestMethod]
    public void ConstructorRejectsWrongLength()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Matrix(2, 3, new double[7]));
        Assert.AreEqual("data", e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Matrix(-1, 3));
    }

    [TestMethod]
    public void IndexerRejectsOutOfRange()
    {
        var m = new Matrix(2, 3);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m[2, 0]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m[0, 3]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => m[-1, 0]);
    }

    [TestMethod]
    public void RowIsAWritableViewOfTheData()
    {
        var m = new Matrix(3, 4);
        m.Row(1)[2] = 7;
        Assert.AreEqual(7.0, m.Data[6]);
        Assert.AreEqual(4, m.Row(2).Length);
    }

    [TestMethod]
    public void ReshapeSharesDataAndChecksCount()
    {
        var m = TestMatrices.Uniform(4, 6, 1);
        Matrix r = m.Reshape(3, 8);
        Assert.AreSame(m.Data, r.Data);
        Assert.AreEqual(m[1, 0], r[0, 6]);
        Assert.ThrowsExactly<ArgumentException>(() => m.Reshape(5, 5));
    }

    [TestMethod]
    [DataRow(1, 1)]
    [DataRow(7, 33)]
    [DataRow(33, 257)]
    [DataRow(257, 7)]
    [DataRow(64, 64)]
    public void TransposeSwapsIndices(int rows, int cols)
    {
        var m = TestMatrices.Uniform(rows, cols, rows + cols);
        Matrix t = m.Transpose();
        Assert.AreEqual(cols, t.Rows);
        Assert.AreEqual(rows, t.Cols);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                Assert.AreEqual(m[i, j], t[j, i]);
            }
        }
    }

    [TestMethod]
    public void FrobeniusNormSquaredIsAccurateOnLongInput()
    {
        // 0.1² is inexact in binary and 3,000,001 terms would lose about 7 digits to naive summation.
        const int count = 3_000_001;
        var m = new Matrix(1, count);
        Array.Fill(m.Data, 0.1);
        double exact = count * (0.1 * 0.1);
        Assert.AreEqual(exact, m.FrobeniusNormSquared(), exact * 1e-13);
    }

    [TestMethod]
    public void FrobeniusNormSquaredMatchesCompensatedSum()
    {
        var m = TestMatrices.Uniform(123, 4567, 3);
        double sum = 0;
        double compensation = 0;
        foreach (double x in m.Data)
        {
            // Neumaier summation as the reference.
            double term = x * x;
            double t = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - t) + term : (term - t) + sum;
            sum = t;
        }

        Assert.AreEqual(sum + compensation, m.FrobeniusNormSquared(), (sum + compensation) * 1e-14);
    }

    [TestMethod]
    public void IdentityAndCloneBehave()
    {
        Matrix identity = Matrix.Identity(3);
        Assert.AreEqual(1.0, identity[2, 2]);
        Assert.AreEqual(0.0, identity[0, 2]);
        Assert.AreEqual(3.0, identity.FrobeniusNormSquared());

        Matrix clone = identity.Clone();
        clone[0, 0] = 5;
        Assert.AreEqual(1.0, identity[0, 0]);
        Assert.AreNotSame(identity.Data, clone.Data);
    }
}

using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Tensors;

[TestClass]
public sealed class OrthonormalizationTests
{
    [TestMethod]
    public void RepairKeepsTheProductAndOrthonormalizesU()
    {
        // Columns far from orthonormal but independent: the CholeskyQR2 path.
        Matrix u = TestMatrices.Uniform(200, 6, 1);
        double[] sigma = [5, 4, 3, 2, 1, 0.5];
        Matrix vt = Matrix.Identity(6);
        AssertRepaired(u, sigma, vt);
    }

    [TestMethod]
    public void RepairHandlesRankDeficientU()
    {
        // Two equal columns make UᵀU singular: Cholesky breaks down and Householder QR takes over.
        Matrix u = TestMatrices.Uniform(100, 4, 2);
        for (int i = 0; i < u.Rows; i++)
        {
            u[i, 3] = u[i, 1];
        }

        AssertRepaired(u, [3, 2, 1, 1], TestMatrices.Uniform(4, 9, 3));
    }

    [TestMethod]
    public void RepairLeavesOrthonormalInputAlone()
    {
        Matrix u = Matrix.Identity(5);
        double[] sigma = [3, 2, 1, 1, 1];
        Matrix vt = TestMatrices.Uniform(5, 7, 4);
        var (u2, sigma2, vt2) = Orthonormalization.Repair(u, sigma, vt);
        Assert.AreSame(u, u2);
        Assert.AreSame(sigma, sigma2);
        Assert.AreSame(vt, vt2);
    }

    private static void AssertRepaired(Matrix u, double[] sigma, Matrix vt)
    {
        Matrix before = Product(u, sigma, vt);
        var (u2, sigma2, vt2) = Orthonormalization.Repair(u, sigma, vt);

        Assert.IsTrue(TestMatrices.OrthonormalityError(u2) <= 1e-12, "U orthonormal");
        for (int i = 1; i < sigma2.Length; i++)
        {
            Assert.IsTrue(sigma2[i] <= sigma2[i - 1], "descending");
        }

        double difference = TestMatrices.MaxAbsDifference(before, Product(u2, sigma2, vt2));
        Assert.IsTrue(difference <= 1e-12, $"product changed by {difference:E3}");
    }

    private static Matrix Product(Matrix u, double[] sigma, Matrix vt)
    {
        var scaled = new Matrix(vt.Rows, vt.Cols);
        for (int i = 0; i < vt.Rows; i++)
        {
            for (int j = 0; j < vt.Cols; j++)
            {
                scaled[i, j] = sigma[i] * vt[i, j];
            }
        }

        return Gemm.Multiply(u, scaled);
    }
}

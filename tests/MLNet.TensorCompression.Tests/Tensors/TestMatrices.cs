using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Tensors;

/// <summary>Seeded test matrices and naive reference computations, independent of the code under test.</summary>
internal static class TestMatrices
{
    public static Matrix Uniform(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] = random.NextDouble() - 0.5;
        }

        return m;
    }

    /// <summary>A = U·diag(sigma)·Vᵀ with random orthonormal U (rows × r) and V (cols × r).</summary>
    public static Matrix WithSingularValues(int rows, int cols, double[] sigma, int seed)
    {
        int r = sigma.Length;
        double[,] u = OrthonormalColumns(rows, r, seed);
        double[,] v = OrthonormalColumns(cols, r, seed + 1);
        var a = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int t = 0; t < r; t++)
                {
                    sum += u[i, t] * sigma[t] * v[j, t];
                }

                a[i, j] = sum;
            }
        }

        return a;
    }

    /// <summary>Random n × r matrix with orthonormal columns by modified Gram–Schmidt, applied twice.</summary>
    public static double[,] OrthonormalColumns(int n, int r, int seed)
    {
        var random = new Random(seed);
        var q = new double[n, r];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < r; j++)
            {
                q[i, j] = random.NextDouble() - 0.5;
            }
        }

        for (int j = 0; j < r; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int t = 0; t < j; t++)
                {
                    double dot = 0;
                    for (int i = 0; i < n; i++)
                    {
                        dot += q[i, t] * q[i, j];
                    }

                    for (int i = 0; i < n; i++)
                    {
                        q[i, j] -= dot * q[i, t];
                    }
                }
            }

            double norm = 0;
            for (int i = 0; i < n; i++)
            {
                norm += q[i, j] * q[i, j];
            }

            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++)
            {
                q[i, j] /= norm;
            }
        }

        return q;
    }

    /// <summary>Naive triple loop: Σₚ left(i, p)·right(p, j) for accessor functions.</summary>
    public static Matrix NaiveProduct(int m, int n, int k, Func<int, int, double> left, Func<int, int, double> right)
    {
        var c = new Matrix(m, n);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += left(i, p) * right(p, j);
                }

                c[i, j] = sum;
            }
        }

        return c;
    }

    public static double MaxAbsDifference(Matrix x, Matrix y)
    {
        Assert.AreEqual(x.Rows, y.Rows, "rows");
        Assert.AreEqual(x.Cols, y.Cols, "cols");
        double max = 0;
        for (int i = 0; i < x.Data.Length; i++)
        {
            max = Math.Max(max, Math.Abs(x.Data[i] - y.Data[i]));
        }

        return max;
    }

    /// <summary>max |UᵀU − I| computed naively.</summary>
    public static double OrthonormalityError(Matrix u)
    {
        double max = 0;
        for (int s = 0; s < u.Cols; s++)
        {
            for (int t = 0; t < u.Cols; t++)
            {
                double dot = 0;
                for (int i = 0; i < u.Rows; i++)
                {
                    dot += u[i, s] * u[i, t];
                }

                max = Math.Max(max, Math.Abs(dot - (s == t ? 1 : 0)));
            }
        }

        return max;
    }

    public static double NormSquared(Matrix a) => a.Data.Sum(x => x * x);
}

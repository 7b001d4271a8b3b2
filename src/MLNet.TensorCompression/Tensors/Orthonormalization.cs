using System.Numerics.Tensors;

namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// Restores orthonormal columns of a tall factor U in a product U·diag(σ)·Vt whose U came from a projection
/// (U = A·V·diag(1/σ)) and so loses orthogonality in proportion to eps·(σ₁/σᵢ)².
/// </summary>
internal static class Orthonormalization
{
    /// <summary>Largest |UᵀU − I| entry accepted without repair; the rest of the pipeline works in double.</summary>
    public const double Tolerance = 1e-12;

    /// <summary>
    /// A Cholesky pivot below this fraction of its diagonal entry means κ(U) ≳ 1e6, past which CholeskyQR2 no longer
    /// reaches orthogonality to working precision; Householder QR takes over.
    /// </summary>
    private const double PivotFloor = 1e-12;

    /// <summary>
    /// Returns U'·diag(σ')·Vt' = U·diag(σ)·Vt with U' orthonormal, σ' descending and Vt' = Yᵀ·Vt for an orthogonal Y
    /// (so Vt keeps orthonormal rows if it had them). U is factored U = Q·R by CholeskyQR2 (two Cholesky passes over
    /// the small UᵀU; falls back to Householder QR if U is numerically rank-deficient), then R·diag(σ) = X·diag(σ')·Yᵀ
    /// by a small exact SVD, and U' = Q·X.
    /// </summary>
    /// <param name="u">rows × k factor, rows ≥ k, columns close to orthonormal.</param>
    /// <param name="sigma">k positive weights, descending.</param>
    /// <param name="vt">k × cols factor.</param>
    public static (Matrix U, double[] Sigma, Matrix Vt) Repair(Matrix u, double[] sigma, Matrix vt)
    {
        Matrix gram = Gemm.GramOfColumns(u);
        if (MaxDeviationFromIdentity(gram) <= Tolerance)
        {
            return (u, sigma, vt);
        }

        (Matrix q, Matrix r) = CholeskyQr2(u, gram) ?? MathNetFactorizations.ThinQr(u);

        int k = sigma.Length;
        var weighted = new Matrix(k, k);
        for (int i = 0; i < k; i++)
        {
            TensorPrimitives.Multiply(r.Row(i), sigma, weighted.Row(i));
        }

        var svd = MathNetFactorizations.Svd(weighted);
        return (Gemm.Multiply(q, svd.LeftVectors(k)), svd.SingularValues, Gemm.Multiply(svd.RightVectorsTransposed(k), vt));
    }

    /// <summary>Returns max |gᵢⱼ − δᵢⱼ|.</summary>
    /// <param name="gram">A square matrix, typically UᵀU.</param>
    public static double MaxDeviationFromIdentity(Matrix gram)
    {
        double deviation = 0;
        for (int i = 0; i < gram.Rows; i++)
        {
            Span<double> row = gram.Row(i);
            row[i] -= 1.0;
            deviation = Math.Max(deviation, TensorPrimitives.MaxMagnitude(row));
            row[i] += 1.0;
        }

        return deviation;
    }

    /// <summary>U = Q·R by two Cholesky passes, or null when UᵀU is not numerically positive definite.</summary>
    private static (Matrix Q, Matrix R)? CholeskyQr2(Matrix u, Matrix gram)
    {
        // One pass leaves an orthogonality error of about eps·κ(U)²; the second starts from κ ≈ 1 and ends at eps.
        if (LowerCholesky(gram) is not { } l1)
        {
            return null;
        }

        Matrix q = Gemm.MultiplyTransposeB(u, LowerTriangularInverse(l1));
        if (LowerCholesky(Gemm.GramOfColumns(q)) is not { } l2)
        {
            return null;
        }

        q = Gemm.MultiplyTransposeB(q, LowerTriangularInverse(l2));

        // U = Q·L2ᵀ·L1ᵀ, so R = (L1·L2)ᵀ.
        return (q, Gemm.Multiply(l1, l2).Transpose());
    }

    /// <summary>Cholesky factor L (g = L·Lᵀ), or null when a pivot is not safely positive.</summary>
    private static Matrix? LowerCholesky(Matrix g)
    {
        int n = g.Rows;
        var l = new Matrix(n, n);
        for (int i = 0; i < n; i++)
        {
            Span<double> li = l.Row(i);
            for (int j = 0; j <= i; j++)
            {
                double value = g[i, j] - TensorPrimitives.Dot(li[..j], l.Row(j)[..j]);
                if (i == j)
                {
                    if (!(value > PivotFloor * g[i, i]))
                    {
                        return null;
                    }

                    li[i] = Math.Sqrt(value);
                }
                else
                {
                    li[j] = value / l[j, j];
                }
            }
        }

        return l;
    }

    /// <summary>Inverse of a lower triangular matrix with positive diagonal, by forward substitution.</summary>
    private static Matrix LowerTriangularInverse(Matrix l)
    {
        int n = l.Rows;
        var inverse = new Matrix(n, n);
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            // Column j of L⁻¹ solves L·x = eⱼ; it is zero above row j.
            Array.Clear(column);
            column[j] = 1.0 / l[j, j];
            for (int i = j + 1; i < n; i++)
            {
                column[i] = -TensorPrimitives.Dot(l.Row(i)[j..i], column.AsSpan(j, i - j)) / l[i, i];
            }

            for (int i = j; i < n; i++)
            {
                inverse[i, j] = column[i];
            }
        }

        return inverse;
    }
}

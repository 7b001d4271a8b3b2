using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// The small dense factorizations (SVD, symmetric eigendecomposition, Householder QR) delegated to MathNet's managed
/// provider, in double.
/// </summary>
/// <remarks>
/// MathNet matrices are column-major, ours row-major: our storage read by MathNet is the transpose. Each method is
/// phrased so that this reinterpretation, not a copy, supplies the layout MathNet needs. MathNet's managed provider
/// is slow (about 1 GFLOP/s), so callers only hand it matrices whose both sides are small, except for
/// <see cref="SingularValueDecomposition"/> on the exact path.
/// </remarks>
internal static class MathNetFactorizations
{
    /// <summary>Eigendecomposition of a symmetric matrix, eigenvalues descending.</summary>
    /// <param name="symmetric">A symmetric n × n matrix (only its symmetry makes the no-copy layout trick valid).</param>
    /// <returns>The n eigenvalues, descending, and an n × n matrix whose row i is the unit eigenvector of eigenvalue i.</returns>
    public static (double[] Values, Matrix VectorsAsRows) SymmetricEigen(Matrix symmetric)
    {
        int n = symmetric.Rows;
        var evd = Matrix<double>.Build.Dense(n, n, symmetric.Data).Evd(Symmetricity.Symmetric);
        double[] values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = evd.EigenValues[i].Real;
        }

        int[] order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (x, y) => values[y].CompareTo(values[x]));

        // Column j of MathNet's eigenvector matrix is eigenvector j; column-major storage makes it a contiguous run.
        double[] vectors = ColumnMajor(evd.EigenVectors);
        var rows = new Matrix(n, n);
        double[] sorted = new double[n];
        for (int i = 0; i < n; i++)
        {
            sorted[i] = values[order[i]];
            Array.Copy(vectors, order[i] * n, rows.Data, i * n, n);
        }

        return (sorted, rows);
    }

    /// <summary>Full SVD of a matrix (MathNet computes all left and right singular vectors).</summary>
    /// <param name="a">The matrix; MathNet factors its transpose, which is what our storage reads as.</param>
    public static SingularValueDecomposition Svd(Matrix a) =>
        new(a.Rows, a.Cols, Matrix<double>.Build.Dense(a.Cols, a.Rows, a.Data).Svd(computeVectors: true));

    /// <summary>Thin Householder QR of aᵀ for a short-fat <paramref name="a"/> (rows ≤ cols), i.e. aᵀ = Q·R.</summary>
    /// <param name="a">The rows × cols matrix, rows ≤ cols.</param>
    /// <returns>Qᵀ (rows × cols, orthonormal rows) and Rᵀ (rows × rows, lower triangular).</returns>
    public static (Matrix QTransposed, Matrix RTransposed) ThinQrOfTranspose(Matrix a)
    {
        var qr = Matrix<double>.Build.Dense(a.Cols, a.Rows, a.Data).QR(QRMethod.Thin);

        // Q is cols × rows and R rows × rows, column-major: read row-major they are Qᵀ and Rᵀ.
        return (new Matrix(a.Rows, a.Cols, ColumnMajor(qr.Q)), new Matrix(a.Rows, a.Rows, ColumnMajor(qr.R)));
    }

    /// <summary>Thin Householder QR of a tall matrix: y = Q·R with Q orthonormal columns, robust to rank deficiency.</summary>
    /// <param name="y">A rows × cols matrix, rows ≥ cols.</param>
    /// <returns>Q (rows × cols) and R (cols × cols, upper triangular).</returns>
    public static (Matrix Q, Matrix R) ThinQr(Matrix y)
    {
        var (qt, rt) = ThinQrOfTranspose(y.Transpose());
        return (qt.Transpose(), rt.Transpose());
    }

    private static double[] ColumnMajor(Matrix<double> matrix) => matrix.AsColumnMajorArray() ?? matrix.ToColumnMajorArray();

    /// <summary>A full SVD a = U·diag(S)·Vᵀ from MathNet, read out in our row-major layout.</summary>
    internal sealed class SingularValueDecomposition
    {
        private readonly int rows;
        private readonly int cols;
        private readonly Svd<double> svd;

        /// <summary>Wraps MathNet's SVD of aᵀ, where a is <paramref name="rows"/> × <paramref name="cols"/>.</summary>
        /// <param name="rows">Rows of a.</param>
        /// <param name="cols">Columns of a.</param>
        /// <param name="svdOfTranspose">MathNet's SVD of aᵀ.</param>
        public SingularValueDecomposition(int rows, int cols, Svd<double> svdOfTranspose)
        {
            this.rows = rows;
            this.cols = cols;
            svd = svdOfTranspose;
            SingularValues = svd.S.ToArray();
        }

        /// <summary>The min(rows, cols) singular values, descending.</summary>
        public double[] SingularValues { get; }

        /// <summary>The first <paramref name="count"/> left singular vectors of a, as a rows × count matrix.</summary>
        /// <param name="count">How many to return.</param>
        public Matrix LeftVectors(int count)
        {
            // aᵀ = U'·S·V'ᵀ gives a = V'·S·U'ᵀ: a's left vectors are V', whose column-major storage of V'ᵀ reads as V' row-major.
            double[] v = ColumnMajor(svd.VT);
            var u = new Matrix(rows, count);
            for (int i = 0; i < rows; i++)
            {
                Array.Copy(v, i * rows, u.Data, i * count, count);
            }

            return u;
        }

        /// <summary>The first <paramref name="count"/> right singular vectors of a, as the rows of a count × cols matrix.</summary>
        /// <param name="count">How many to return.</param>
        public Matrix RightVectorsTransposed(int count)
        {
            // a's right vectors are the columns of U', contiguous in column-major storage.
            var vt = new Matrix(count, cols);
            Array.Copy(ColumnMajor(svd.U), vt.Data, count * cols);
            return vt;
        }
    }
}

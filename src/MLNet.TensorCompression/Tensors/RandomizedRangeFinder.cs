namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// Randomized range finder (Halko, Martinsson and Tropp 2011, algorithm 4.4, randomized subspace iteration) for the
/// short side of a matrix.
/// </summary>
/// <remarks>
/// Working on the short side keeps every orthonormalization on a min(rows, cols) × l matrix, small enough for
/// MathNet's Householder QR; the long side only appears inside products. The basis is re-orthonormalized after each
/// application of A·Aᵀ (not after each of A and Aᵀ): that keeps directions down to about sqrt(eps)·σ₁, the same floor
/// as the Gram step that follows, and saves the QR of the long l-column matrix.
/// </remarks>
internal static class RandomizedRangeFinder
{
    /// <summary>Extra sketch columns beyond the target rank; 10 makes the failure probability negligible.</summary>
    public const int Oversampling = 10;

    /// <summary>Power iterations; each sharpens the decay seen by the sketch from σᵢ to σᵢ^(2q+1).</summary>
    public const int PowerIterations = 2;

    /// <summary>
    /// Returns Q (s × l, orthonormal columns, s = min(rows, cols)) whose span approximates the dominant
    /// <paramref name="sketchSize"/>-dimensional left singular subspace of a when a is short-fat, or right singular
    /// subspace when a is tall.
    /// </summary>
    /// <param name="a">The matrix.</param>
    /// <param name="sketchSize">l, between 1 and min(rows, cols).</param>
    /// <param name="seed">Seed of the Gaussian test matrix.</param>
    public static Matrix FindShortSideBasis(Matrix a, int sketchSize, int seed)
    {
        bool wide = a.Rows <= a.Cols;

        // W is a when short-fat and aᵀ when tall, so the sketch W·Ω lives on the short side.
        Matrix ApplyW(Matrix x) => wide ? Gemm.Multiply(a, x) : Gemm.TransposeAMultiply(a, x);
        Matrix ApplyWTransposed(Matrix x) => wide ? Gemm.TransposeAMultiply(a, x) : Gemm.Multiply(a, x);

        Matrix q = Orthonormalize(ApplyW(Gaussian(wide ? a.Cols : a.Rows, sketchSize, seed)));
        for (int i = 0; i < PowerIterations; i++)
        {
            q = Orthonormalize(ApplyW(ApplyWTransposed(q)));
        }

        return q;
    }

    private static Matrix Orthonormalize(Matrix y) => MathNetFactorizations.ThinQr(y).Q;

    /// <summary>A rows × cols matrix of independent standard normal samples (Box–Muller), reproducible from the seed.</summary>
    private static Matrix Gaussian(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var omega = new Matrix(rows, cols);
        double[] data = omega.Data;
        for (int i = 0; i < data.Length; i += 2)
        {
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
            double angle = 2.0 * Math.PI * random.NextDouble();
            data[i] = radius * Math.Cos(angle);
            if (i + 1 < data.Length)
            {
                data[i + 1] = radius * Math.Sin(angle);
            }
        }

        return omega;
    }
}

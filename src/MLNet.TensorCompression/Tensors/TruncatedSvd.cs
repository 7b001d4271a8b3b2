using System.Numerics.Tensors;

namespace MLNet.TensorCompression.Tensors;

/// <summary>
/// Truncated singular value decomposition A ≈ U·diag(σ)·Vt with a rank chosen from an error budget and a cap,
/// by one of three methods picked per shape (<see cref="ChooseMethod"/>).
/// </summary>
internal static class TruncatedSvd
{
    /// <summary>Up to this short side MathNet's exact SVD is cheap (0.15 s measured at 256²), so sketching buys little.</summary>
    private const int RandomizedMinShortSide = 256;

    /// <summary>The sketch (k + p columns) must be at most this fraction of the short side for sketching to pay off.</summary>
    private const int RandomizedMaxSketchDivisor = 4;

    /// <summary>A matrix is skinny when its long side is at least this many times its short side.</summary>
    private const int GramMinAspect = 4;

    /// <summary>
    /// Largest short side for the Gram method: MathNet's symmetric eigensolver took 0.3 s at 512, 2.2–3.3 s at 1024
    /// and 29 s at 2048 here (cubic), beyond which it dominates.
    /// </summary>
    private const int GramMaxShortSide = 2048;

    /// <summary>
    /// Cost of MathNet's symmetric eigensolver per n³, in units of one multiply-add of <see cref="Gemm"/>
    /// (measured 17–49 for n = 256…1024 against a Gemm of the same n³).
    /// </summary>
    private const double EigenSolverCostPerCube = 30;

    /// <summary>
    /// The exact path first reduces A to its short side by a thin QR when the long side is at least this multiple of
    /// the short one: MathNet's SVD always builds both full singular bases, so a 300 × 1200 matrix costs as much as a
    /// 1200 × 1200 one.
    /// </summary>
    private const double ExactQrMinAspect = 1.5;

    /// <summary>Exact SVD: singular values at or below this fraction of σ₁ are rounding noise and count as zero.</summary>
    private const double ExactZeroFloor = 1e-14;

    /// <summary>
    /// Gram-based SVDs (Gram and Randomized): eigenvalues of the Gram matrix carry an absolute error of a few eps·σ₁²,
    /// so singular values below about sqrt(eps)·σ₁ are noise; this floor (with a safety factor) treats them as zero
    /// and keeps 1/σ bounded. It only matters for error budgets below about 1e-14·‖A‖².
    /// </summary>
    private const double GramZeroFloor = 1e-7;

    /// <summary>
    /// Computes a truncated SVD of <paramref name="a"/>. The rank is the smallest r ≥ 1 with
    /// ‖A‖_F² − Σ_{i≤r} σᵢ² ≤ <paramref name="maxDiscardedNormSquared"/>, then capped at <paramref name="maxRank"/>
    /// and at min(rows, cols); singular values that are zero to working precision (≤ 1e-14·σ₁ exact, ≤ 1e-7·σ₁ for
    /// the Gram-based methods) are never kept. A zero matrix gives rank 1 with σ = 0.
    /// </summary>
    /// <param name="a">The matrix; it is not modified.</param>
    /// <param name="maxRank">Rank cap, at least 1; <see cref="int.MaxValue"/> for none.</param>
    /// <param name="maxDiscardedNormSquared">Budget for ‖A − U·Uᵀ·A‖_F², at least 0; 0 keeps everything up to the cap.</param>
    /// <param name="seed">Seed of the randomized method's Gaussian sketch, which makes it deterministic.</param>
    /// <param name="forceMethod">Method to use instead of <see cref="ChooseMethod"/>'s choice.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (named).</exception>
    /// <exception cref="ArgumentException">The matrix contains NaN or infinity, or its squared norm overflows or underflows double.</exception>
    public static TruncatedSvdResult Compute(Matrix a, int maxRank, double maxDiscardedNormSquared, int seed = 12345, SvdMethod? forceMethod = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows <= 0 || a.Cols <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(a), $"The matrix is {a.Rows}×{a.Cols}; it needs at least one row and one column.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRank);
        if (!(maxDiscardedNormSquared >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDiscardedNormSquared), maxDiscardedNormSquared, "The discarded-norm budget must be a non-negative number.");
        }

        SvdMethod method = forceMethod ?? ChooseMethod(a.Rows, a.Cols, maxRank);
        if (!Enum.IsDefined(method))
        {
            throw new ArgumentOutOfRangeException(nameof(forceMethod), method, "Unknown SVD method.");
        }

        double normSquared = a.FrobeniusNormSquared();
        if (!double.IsFinite(normSquared))
        {
            throw a.Data.Any(x => !double.IsFinite(x))
                ? new ArgumentException("The matrix contains NaN or infinity.", nameof(a))
                : new ArgumentException("The squared Frobenius norm of the matrix overflows double; scale the matrix first.", nameof(a));
        }

        if (normSquared == 0)
        {
            // A non-zero matrix whose squares all underflow would otherwise pass for zero.
            return a.Data.Any(x => x != 0)
                ? throw new ArgumentException("The squared Frobenius norm of the matrix underflows double; scale the matrix first.", nameof(a))
                : ZeroMatrixResult(a.Rows, a.Cols, method);
        }

        var budget = new RankBudget(normSquared, maxRank, maxDiscardedNormSquared);
        return method switch
        {
            SvdMethod.Exact => ComputeExact(a, budget),
            SvdMethod.Gram => ComputeFromGram(a, basis: null, budget, SvdMethod.Gram),
            _ => ComputeRandomized(a, budget, seed),
        };
    }

    /// <summary>
    /// Picks the method for a rows × cols matrix and a rank cap. With s = min(rows, cols), l = max(rows, cols),
    /// k = min(maxRank, s) and p = <see cref="RandomizedRangeFinder.Oversampling"/>:
    /// <list type="number">
    /// <item>Randomized fits when s &gt; 256 and k + p ≤ s/4: the sketch is at most a quarter of the short side, and
    /// MathNet's exact SVD grows from 0.15 s at 256² to 0.4–0.8 s at 512² and 4–8 s at 1024².</item>
    /// <item>Gram fits when l ≥ 4·s and s ≤ 2048: the Gram matrix is small next to A and cheap to form, and its
    /// eigensolver still fast.</item>
    /// <item>When both fit, the one with the smaller estimated cost wins (randomized: 2q + 2 passes of s·l·(k + p)
    /// multiply-adds; Gram: s²·l/2 for the Gram matrix, k·s·l for the projection, and the eigensolver); otherwise
    /// the one that fits; otherwise <see cref="SvdMethod.Exact"/>.</item>
    /// </list>
    /// </summary>
    /// <param name="rows">Rows of the matrix, at least 1.</param>
    /// <param name="cols">Columns of the matrix, at least 1.</param>
    /// <param name="maxRank">Rank cap, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is not positive (named).</exception>
    public static SvdMethod ChooseMethod(int rows, int cols, int maxRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRank);

        long s = Math.Min(rows, cols);
        long l = Math.Max(rows, cols);
        long k = Math.Min(maxRank, s);
        long sketch = k + RandomizedRangeFinder.Oversampling;

        bool randomizedFits = s > RandomizedMinShortSide && sketch * RandomizedMaxSketchDivisor <= s;
        bool gramFits = l >= GramMinAspect * s && s <= GramMaxShortSide;
        if (randomizedFits && gramFits)
        {
            double randomizedCost = (2.0 * RandomizedRangeFinder.PowerIterations + 2) * s * l * sketch;
            double gramCost = (0.5 * s * s * l) + (1.0 * k * s * l) + (EigenSolverCostPerCube * s * s * s);
            return randomizedCost < gramCost ? SvdMethod.Randomized : SvdMethod.Gram;
        }

        return randomizedFits ? SvdMethod.Randomized : gramFits ? SvdMethod.Gram : SvdMethod.Exact;
    }

    private static TruncatedSvdResult ComputeExact(Matrix a, RankBudget budget)
    {
        if (a.Rows <= a.Cols)
        {
            return ComputeExactShortFat(a, budget);
        }

        // Aᵀ = U·S·Vt gives A = Vtᵀ·S·Uᵀ.
        TruncatedSvdResult t = ComputeExactShortFat(a.Transpose(), budget);
        return new TruncatedSvdResult(t.Vt.Transpose(), t.SingularValues, t.U.Transpose(), SvdMethod.Exact, t.DiscardedNormSquared);
    }

    private static TruncatedSvdResult ComputeExactShortFat(Matrix a, RankBudget budget)
    {
        if (a.Cols < ExactQrMinAspect * a.Rows)
        {
            var svd = MathNetFactorizations.Svd(a);
            int rank = budget.ChooseRank(svd.SingularValues, ExactZeroFloor);
            return Result(svd.LeftVectors(rank), svd.SingularValues, svd.RightVectorsTransposed(rank), SvdMethod.Exact, budget, spectrumIsComplete: true);
        }

        // Aᵀ = Q·R, so A = Rᵀ·Qᵀ; with Rᵀ = U·S·Vrt, A = U·S·(Vrt·Qᵀ).
        var (qt, rt) = MathNetFactorizations.ThinQrOfTranspose(a);
        var small = MathNetFactorizations.Svd(rt);
        int r = budget.ChooseRank(small.SingularValues, ExactZeroFloor);
        return Result(small.LeftVectors(r), small.SingularValues, Gemm.Multiply(small.RightVectorsTransposed(r), qt), SvdMethod.Exact, budget, spectrumIsComplete: true);
    }

    private static TruncatedSvdResult ComputeRandomized(Matrix a, RankBudget budget, int seed)
    {
        int shortSide = Math.Min(a.Rows, a.Cols);
        int sketch = (int)Math.Min(shortSide, (long)Math.Min(budget.MaxRank, shortSide) + RandomizedRangeFinder.Oversampling);
        Matrix basis = RandomizedRangeFinder.FindShortSideBasis(a, sketch, seed);
        return ComputeFromGram(a, basis, budget, SvdMethod.Randomized);
    }

    /// <summary>
    /// SVD through the symmetric eigendecomposition of a small Gram matrix. Short-fat A (optionally projected onto an
    /// orthonormal basis Q of its column space, C = Qᵀ·A): C·Cᵀ = W·Λ·Wᵀ, U = Q·W, Vt = diag(1/σ)·Wᵀ·C, where U is
    /// orthonormal by construction. Tall A (D = A·Q): Dᵀ·D = W·Λ·Wᵀ, Vt = (Q·W)ᵀ, U = D·W·diag(1/σ), which is then
    /// checked and, if needed, re-orthonormalized.
    /// </summary>
    private static TruncatedSvdResult ComputeFromGram(Matrix a, Matrix? basis, RankBudget budget, SvdMethod method)
    {
        bool wide = a.Rows <= a.Cols;
        Matrix projected = basis is null ? a : wide ? Gemm.TransposeAMultiply(basis, a) : Gemm.Multiply(a, basis);
        var (eigenvalues, eigenvectorRows) = MathNetFactorizations.SymmetricEigen(wide ? Gemm.Gram(projected) : Gemm.GramOfColumns(projected));

        double[] sigma = new double[eigenvalues.Length];
        for (int i = 0; i < sigma.Length; i++)
        {
            sigma[i] = Math.Sqrt(Math.Max(eigenvalues[i], 0));
        }

        int rank = budget.ChooseRank(sigma, GramZeroFloor);
        var wt = new Matrix(rank, eigenvectorRows.Cols, eigenvectorRows.Data.AsSpan(0, rank * eigenvectorRows.Cols).ToArray());
        double[] kept = sigma[..rank];
        double discarded = budget.Discarded(sigma, rank, spectrumIsComplete: basis is null);

        // σ₁ is zero only if a sketch missed a non-zero A entirely; a zero weight then keeps Vt finite.
        double[] inverse = kept.Select(x => x > 0 ? 1.0 / x : 0.0).ToArray();

        if (wide)
        {
            Matrix w = wt.Transpose();
            Matrix vt = Gemm.TransposeAMultiply(w, projected);
            for (int i = 0; i < rank; i++)
            {
                TensorPrimitives.Multiply(vt.Row(i), inverse[i], vt.Row(i));
            }

            return new TruncatedSvdResult(basis is null ? w : Gemm.Multiply(basis, w), kept, vt, method, discarded);
        }

        Matrix u = Gemm.MultiplyTransposeB(projected, wt);
        for (int i = 0; i < u.Rows; i++)
        {
            TensorPrimitives.Multiply(u.Row(i), inverse, u.Row(i));
        }

        var (uo, so, vto) = Orthonormalization.Repair(u, kept, basis is null ? wt : Gemm.MultiplyTransposeB(wt, basis));
        return new TruncatedSvdResult(uo, so, vto, method, discarded);
    }

    private static TruncatedSvdResult Result(Matrix u, double[] sigma, Matrix vt, SvdMethod method, RankBudget budget, bool spectrumIsComplete)
    {
        double[] kept = sigma.Length == u.Cols ? sigma : sigma[..u.Cols];
        return new TruncatedSvdResult(u, kept, vt, method, budget.Discarded(sigma, u.Cols, spectrumIsComplete));
    }

    private static TruncatedSvdResult ZeroMatrixResult(int rows, int cols, SvdMethod method)
    {
        var u = new Matrix(rows, 1);
        u.Data[0] = 1.0;
        var vt = new Matrix(1, cols);
        vt.Data[0] = 1.0;
        return new TruncatedSvdResult(u, [0.0], vt, method, 0.0);
    }

    /// <summary>The rank rule: a cap, a budget for the discarded squared norm, and ‖A‖_F² to measure it against.</summary>
    private readonly record struct RankBudget(double NormSquared, int MaxRank, double MaxDiscardedNormSquared)
    {
        /// <summary>Smallest r ≥ 1 meeting the budget, capped by the cap, the count and the non-zero values.</summary>
        public int ChooseRank(ReadOnlySpan<double> sigma, double zeroFloor)
        {
            int cap = Math.Min(MaxRank, sigma.Length);
            double threshold = zeroFloor * sigma[0];
            int nonZero = 1;
            while (nonZero < cap && sigma[nonZero] > threshold)
            {
                nonZero++;
            }

            int rank = 1;
            double kept = sigma[0] * sigma[0];
            while (rank < nonZero && NormSquared - kept > MaxDiscardedNormSquared)
            {
                kept += sigma[rank] * sigma[rank];
                rank++;
            }

            return rank;
        }

        /// <summary>
        /// ‖A − U·Uᵀ·A‖_F² for the first <paramref name="rank"/> values: the tail sum when <paramref name="sigma"/> is the
        /// whole spectrum (exact even when tiny), else max(0, ‖A‖_F² − Σ kept σᵢ²), which a sketch's partial spectrum
        /// allows but which loses values below about 1e-16·‖A‖_F² to cancellation.
        /// </summary>
        public double Discarded(ReadOnlySpan<double> sigma, int rank, bool spectrumIsComplete) => spectrumIsComplete
            ? TensorPrimitives.SumOfSquares(sigma[rank..])
            : Math.Max(0, NormSquared - TensorPrimitives.SumOfSquares(sigma[..rank]));
    }
}

namespace MLNet.TensorCompression.Tensors;

/// <summary>How <see cref="TruncatedSvd"/> computes a truncated singular value decomposition.</summary>
internal enum SvdMethod
{
    /// <summary>
    /// Full dense SVD (MathNet, double), after a thin QR when the matrix is far from square. Accurate to machine
    /// precision; cost grows with min(rows, cols)² × max(rows, cols) with a large constant.
    /// </summary>
    Exact,

    /// <summary>
    /// Symmetric eigendecomposition of the Gram matrix of the short side, the long side recovered by one projection.
    /// Cheap for very skinny matrices; squares the condition number, so singular values below about 1e-7·σ₁ are noise
    /// and are treated as zero.
    /// </summary>
    Gram,

    /// <summary>
    /// Randomized range finder (Halko–Martinsson–Tropp: Gaussian sketch, oversampling, power iterations) followed by a
    /// Gram-based SVD of the projected matrix. Only the leading singular triplets are resolved; the discarded norm is
    /// still exact because it is computed from ‖A‖_F².
    /// </summary>
    Randomized,
}

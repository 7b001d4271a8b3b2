namespace MLNet.TensorCompression.Tensors;

/// <summary>Result of a truncated SVD: the leading left singular vectors, the singular values and the right factor.</summary>
internal sealed class TruncatedSvdResult
{
    /// <summary>Creates a result; the caller guarantees the shapes agree.</summary>
    /// <param name="u">rows × rank, orthonormal columns.</param>
    /// <param name="singularValues">rank values, descending.</param>
    /// <param name="vt">rank × cols.</param>
    /// <param name="method">The method that produced the result.</param>
    /// <param name="discardedNormSquared">‖A − U Uᵀ A‖_F², computed as max(0, ‖A‖_F² − Σ kept σ²).</param>
    public TruncatedSvdResult(Matrix u, double[] singularValues, Matrix vt, SvdMethod method, double discardedNormSquared)
    {
        U = u;
        SingularValues = singularValues;
        Vt = vt;
        Method = method;
        DiscardedNormSquared = discardedNormSquared;
    }

    /// <summary>rows × <see cref="Rank"/> matrix with orthonormal columns: the leading left singular vectors.</summary>
    public Matrix U { get; }

    /// <summary>The <see cref="Rank"/> kept singular values, descending.</summary>
    public double[] SingularValues { get; }

    /// <summary><see cref="Rank"/> × cols matrix such that U·diag(S)·Vt is the truncated approximation.</summary>
    public Matrix Vt { get; }

    /// <summary>Number of kept singular triplets, at least 1.</summary>
    public int Rank => SingularValues.Length;

    /// <summary>The method that produced the result.</summary>
    public SvdMethod Method { get; }

    /// <summary>‖A − U Uᵀ A‖_F², computed in double as max(0, ‖A‖_F² − Σ kept σ²).</summary>
    public double DiscardedNormSquared { get; }

    /// <summary>
    /// diag(σ)·Vt, which equals Uᵀ·A: the part of A that the next step of a TT or HT sweep factors. Scales
    /// <see cref="Vt"/> in place and returns it, so the result's Vt is consumed.
    /// </summary>
    public Matrix ScaleRightFactorInPlace()
    {
        for (int i = 0; i < Rank; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(Vt.Row(i), SingularValues[i], Vt.Row(i));
        }

        return Vt;
    }
}

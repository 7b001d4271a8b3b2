using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// <see cref="FactorizedTensor.ReconstructionGradient"/> of a <see cref="TensorTrain"/>: maps dL/dA for the dense tensor A to dL/dG_k for every core.
/// </summary>
/// <remarks>
/// With A unfolded around core k as A[p, i, q] = Σ_{a,b} L_k[p, a]·G_k[a, i, b]·R_k[b, q], where L_k = G₀⋯G_{k−1} is
/// (n₀⋯n_{k−1}) × r_k and R_k = G_{k+1}⋯G_{d−1} is r_{k+1} × (n_{k+1}⋯n_{d−1}), the derivative is
/// dL/dG_k[a, i, b] = Σ_q Z_k[a, i, q]·R_k[b, q] with Z_k = L_kᵀ·D, D = dL/dA. Z_k is not formed from L_k: one left-to-right
/// sweep contracts D with one core at a time, Z_{k+1} = G_kᵀ·Z_k. Step k costs 2·r_k·r_{k+1}·|A|/(n₀⋯n_{k−1})
/// multiply-adds (dL/dG_k and Z_{k+1}), so with modes of tens of entries, as tensorised weights have, the first step
/// (2·r₁·|A|) dominates, against r_{d−1}·|A| for <see cref="TensorTrain.ToDense"/>; with r_k ≤ n₀⋯n_{k−1}, as TT-SVD
/// gives, no step exceeds 2·r_{k+1}·|A|.
/// </remarks>
internal static class TensorTrainGradient
{
    /// <summary>Given dL/dA for A = <paramref name="train"/>.ToDense() (checked to hold <paramref name="denseLength"/> = ∏n_k values), returns dL/dG_k for every core in the layout of <see cref="TensorTrain.Cores"/>.</summary>
    public static double[][] Backward(TensorTrain train, ReadOnlySpan<double> denseGradient, long denseLength)
    {
        var modeSizes = train.ModeSizes;
        var ranks = train.Ranks;
        var cores = train.Cores;
        int d = modeSizes.Count;

        var suffixes = RightPartialProducts(train);
        var gradients = new double[d][];
        // Z_k as (r_k·n_k) × (n_{k+1}⋯n_{d−1}); Z₀ is D itself.
        var projected = new Matrix(modeSizes[0], (int)(denseLength / modeSizes[0]), denseGradient.ToArray());
        for (int k = 0; k < d; k++)
        {
            gradients[k] = Gemm.MultiplyTransposeB(projected, suffixes[k]).Data;
            if (k == d - 1) break;
            var core = new Matrix(ranks[k] * modeSizes[k], ranks[k + 1], cores[k]);
            var next = Gemm.TransposeAMultiply(core, projected);
            projected = next.Reshape(ranks[k + 1] * modeSizes[k + 1], next.Cols / modeSizes[k + 1]);
        }
        return gradients;
    }

    // R_k = G_{k+1}⋯G_{d−1} as r_{k+1} × (n_{k+1}⋯n_{d−1}) for every k; R_{d−1} is the 1×1 identity.
    private static Matrix[] RightPartialProducts(TensorTrain train)
    {
        var modeSizes = train.ModeSizes;
        var ranks = train.Ranks;
        int d = modeSizes.Count;
        var suffixes = new Matrix[d];
        suffixes[d - 1] = Matrix.Identity(1);
        for (int k = d - 1; k > 0; k--)
        {
            var core = new Matrix(ranks[k] * modeSizes[k], ranks[k + 1], train.Cores[k]);
            var product = Gemm.Multiply(core, suffixes[k]);
            suffixes[k - 1] = product.Reshape(ranks[k], modeSizes[k] * product.Cols);
        }
        return suffixes;
    }
}

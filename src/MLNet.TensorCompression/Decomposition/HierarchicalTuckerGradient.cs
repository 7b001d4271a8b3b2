using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// <see cref="FactorizedTensor.ReconstructionGradient"/> of a <see cref="HierarchicalTucker"/>: maps dL/dA for the dense tensor A to dL/d(factor)
/// for every node of the tree.
/// </summary>
/// <remarks>
/// The expansion computes, at every inner node t with children l and r, Y_t = U_r applied to B_t (an r_l × (N_r·r_t)
/// matrix) and U_t = U_l·Y_t. The backward pass starts from dL/dU_root = D = dL/dA and walks down the tree undoing each
/// step: dL/dU_l = dL/dU_t·Y_tᵀ and dL/dY_t = U_lᵀ·dL/dU_t, then through the regrouping and U_r·B_t to dL/dU_r and
/// dL/dB_t. At the root each of the first two products costs r_l·|A| multiply-adds, as much as the root product of
/// <see cref="HierarchicalTucker.ToDense"/>; everything below works on frames, which are far smaller than A.
/// </remarks>
internal static class HierarchicalTuckerGradient
{
    /// <summary>Given dL/dA for A = <paramref name="tensor"/>.ToDense() (checked to hold <paramref name="denseLength"/> = ∏n_k values), returns dL/d(factor) for every node id in the layouts of <see cref="FactorizedTensor.Factors"/>.</summary>
    public static double[][] Backward(HierarchicalTucker tensor, ReadOnlySpan<double> denseGradient, long denseLength)
    {

        var pass = new Pass(tensor);
        var root = tensor.Tree.Root;
        pass.Forward(root);
        pass.Backward(root, new Matrix((int)denseLength, 1, denseGradient.ToArray()));
        return pass.Gradients;
    }

    /// <summary>
    /// Every factor's gradient given dL/dU_l and dL/dY_root for the root's two sides (A = U_l·Y_root): the backward
    /// pass from the root's products down, without the dense tensor.
    /// </summary>
    public static double[][] BackwardFromRootSides(HierarchicalTucker tensor, Matrix leftGradient, Matrix appliedGradient)
    {
        var pass = new Pass(tensor);
        var root = tensor.Tree.Root;
        pass.Forward(root);
        pass.BackwardFromProducts(root, leftGradient, appliedGradient);
        return pass.Gradients;
    }

    /// <summary>One forward and backward pass: the intermediates the backward step of every node needs, and the gradients.</summary>
    private sealed class Pass(HierarchicalTucker tensor)
    {
        // U_t of every node below the root, (N_t) × r_t in the row order of the expansion.
        private readonly Matrix[] frames = new Matrix[tensor.Tree.Nodes.Count];

        // Y_t of every inner node.
        private readonly Matrix[] rightApplied = new Matrix[tensor.Tree.Nodes.Count];

        public double[][] Gradients { get; } = new double[tensor.Tree.Nodes.Count][];

        /// <summary>Records U_t below <paramref name="node"/> and Y_t at it; the root's own U (the dense tensor) is not needed.</summary>
        public void Forward(DimensionTreeNode node)
        {
            if (node.IsLeaf)
            {
                frames[node.Id] = tensor.LeafFrame(node);
                return;
            }
            Forward(node.Left!);
            Forward(node.Right!);
            var applied = tensor.ApplyRightFrame(node, frames[node.Right!.Id]);
            rightApplied[node.Id] = applied;
            if (node == tensor.Tree.Root) return;
            var left = frames[node.Left!.Id];
            int rank = tensor.Ranks[node.Id];
            frames[node.Id] = Gemm.Multiply(left, applied).Reshape(left.Rows * (applied.Cols / rank), rank);
        }

        /// <summary>Given dL/dU_t as an N_t × r_t matrix, stores dL/d(factor) for <paramref name="node"/> and every node below it.</summary>
        public void Backward(DimensionTreeNode node, Matrix frameGradient)
        {
            if (node.IsLeaf)
            {
                Gradients[node.Id] = frameGradient.Data;
                return;
            }
            var left = frames[node.Left!.Id];
            int rank = tensor.Ranks[node.Id];

            // U_t = U_l·Y_t with U_t read as N_l × (N_r·r_t).
            var outer = frameGradient.Reshape(left.Rows, frames[node.Right!.Id].Rows * rank);
            BackwardFromProducts(node, Gemm.MultiplyTransposeB(outer, rightApplied[node.Id]), Gemm.TransposeAMultiply(left, outer));
        }

        /// <summary>Given dL/dU_l and dL/dY_t of the inner node <paramref name="node"/>, stores dL/d(factor) for it and every node below it.</summary>
        public void BackwardFromProducts(DimensionTreeNode node, Matrix leftGradient, Matrix appliedGradient)
        {
            var right = frames[node.Right!.Id];
            int leftRank = frames[node.Left!.Id].Cols, rightRank = right.Cols, rank = tensor.Ranks[node.Id];

            // Y_t[a, (i_r, k)] is (U_r·B′)[i_r, (a, k)] regrouped, with B′[b, (a, k)] = B_t[a, b, k].
            var productGradient = SwapLeadingAxes(appliedGradient.Data, leftRank, right.Rows, rank);
            var transfer = SwapLeadingAxes(tensor.Factors[node.Id], leftRank, rightRank, rank);
            var rightGradient = Gemm.MultiplyTransposeB(productGradient, transfer);
            var transferGradient = Gemm.TransposeAMultiply(right, productGradient);
            Gradients[node.Id] = SwapLeadingAxes(transferGradient.Data, rightRank, leftRank, rank).Data;

            Backward(node.Left!, leftGradient);
            Backward(node.Right!, rightGradient);
        }

        // The row-major [first, second, third] tensor as [second, first, third], returned as a second × (first·third) matrix.
        private static Matrix SwapLeadingAxes(double[] data, int first, int second, int third)
        {
            var swapped = new double[data.Length];
            TensorPermutation.Permute<double, double>(data, swapped, [first, second, third], [1, 0, 2]);
            return new Matrix(second, first * third, swapped);
        }
    }
}

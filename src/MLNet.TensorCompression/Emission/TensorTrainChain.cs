using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Plans the transpose-free chain of a weight in train form: core k is G_k[b_k, f₀, f₁, b_{k+1}] over mode k's two
/// factors, b₀ = b_d = 1 (a TT, or an HT seen as one by <see cref="HierarchicalTuckerTrain"/>). Each step contracts a
/// mode's input factor together with the bond beside it, so the activation never grows by more than one bond.
/// The outer bonds (size 1) stay in the chain so every step has the same form.
/// </summary>
internal static class TensorTrainChain
{
    /// <summary>The role of core k's matrix.</summary>
    public static string CoreRole(int k) => $"core{k}";

    /// <summary>
    /// Where the axes of a fully connected core [b_k, m_k, n_k, b_{k+1}] go in its chain matrix: right to left
    /// [(b_k·m_k), (n_k·b_{k+1})] (the core's own layout), left to right [(m_k·b_{k+1}), (b_k·n_k)].
    /// </summary>
    public static int[] LinearMatrixAxes(bool leftToRight) => leftToRight ? [1, 3, 0, 2] : [0, 1, 2, 3];

    /// <summary>Where the axes of a convolution's channel core [b_j, c_j, s_j, b_{j+1}] go in its chain matrix [(b_{j+1}·s_j), (c_j·b_j)].</summary>
    public static int[] ConvMatrixAxes { get; } = [3, 2, 1, 0];

    /// <summary>
    /// Plans a fully connected layer's chain: right to left, core k contracts (n_k, b_{k+1}) of
    /// [n₀⋯n_{k−1}, n_k·b_{k+1}, m_{k+1}⋯m_{d−1}] into (b_k, m_k); left to right, (b_k, n_k) of
    /// [m₀⋯m_{k−1}, b_k·n_k, n_{k+1}⋯n_{d−1}] into (m_k, b_{k+1}).
    /// </summary>
    /// <param name="tensorization">The weight's tensorization (mode k = (m_k, n_k)).</param>
    /// <param name="bonds">b₀ … b_d.</param>
    /// <param name="dynamicTail">True for W·x (the columns of x are the tail).</param>
    /// <param name="leftToRight">The direction.</param>
    /// <param name="core">Core k's values as [b_k, m_k, n_k, b_{k+1}], or null when the body computes its matrix.</param>
    /// <returns>The chain and, by core, the factor to store (null for computed ones).</returns>
    public static (ContractionChain Chain, FactorTensor?[] Factors) PlanLinear(
        Tensorization tensorization, IReadOnlyList<int> bonds, bool dynamicTail, bool leftToRight, Func<int, double[]?> core)
    {
        int d = tensorization.ModeSizes.Count;
        var bond = (int k) => new ChainAxis(ChainAxis.RankKey(k), bonds[k]);
        var inputs = LinearLayerFrame.InputAxes(tensorization);
        var chain = new ContractionChain(leftToRight ? inputs.Prepend(bond(0)) : inputs.Append(bond(d)), dynamicTail);
        var factors = new FactorTensor?[d];
        foreach (int k in leftToRight ? Enumerable.Range(0, d) : Enumerable.Range(0, d).Reverse())
        {
            int m = tensorization.ModeFactors[k][0], n = tensorization.ModeFactors[k][1];
            var output = new ChainAxis(ChainAxis.OutputKey(k), m);
            factors[k] = leftToRight
                ? Contract(chain, chain.IndexOf(ChainAxis.RankKey(k)), [output, bond(k + 1)], k, core(k), [bonds[k], m, n, bonds[k + 1]], LinearMatrixAxes(true))
                : Contract(chain, chain.IndexOf(ChainAxis.InputKey(k)), [bond(k), output], k, core(k), [bonds[k], m, n, bonds[k + 1]], LinearMatrixAxes(false));
        }
        return (chain, factors);
    }

    /// <summary>
    /// Plans a convolution's channel chain after the spatial Conv (<see cref="ConvLayerFrame"/>): over the axes
    /// (c_d … c₁, b₁) and the pixels, channel core j = 1 … d contracts the adjacent (c_j, b_j) into (b_{j+1}, s_j).
    /// </summary>
    /// <param name="tensorization">The kernel's tensorization (mode 0 spatial, mode j = (c_j, s_j)).</param>
    /// <param name="bonds">b₀ … b_{d+1}; b₁ is the spatial factor's rank.</param>
    /// <param name="core">Channel core j's values as [b_j, c_j, s_j, b_{j+1}], or null when the body computes its matrix.</param>
    /// <returns>The chain and, by mode (index 0 unused), the factor to store (null for computed ones).</returns>
    public static (ContractionChain Chain, FactorTensor?[] Factors) PlanConv(Tensorization tensorization, IReadOnlyList<int> bonds, Func<int, double[]?> core)
    {
        int modes = tensorization.ModeSizes.Count;
        var chain = new ContractionChain(ConvLayerFrame.ChannelAxes(tensorization, new ChainAxis(ChainAxis.RankKey(1), bonds[1])), dynamicTail: true);
        var factors = new FactorTensor?[modes];
        for (int j = 1; j < modes; j++)
        {
            int c = tensorization.ModeFactors[j][0], s = tensorization.ModeFactors[j][1];
            var produced = new[] { new ChainAxis(ChainAxis.RankKey(j + 1), bonds[j + 1]), new ChainAxis(ChainAxis.OutputKey(j), s) };
            factors[j] = Contract(chain, chain.IndexOf(ChainAxis.InputKey(j)), produced, j, core(j), [bonds[j], c, s, bonds[j + 1]], ConvMatrixAxes);
        }
        return (chain, factors);
    }

    // Every step contracts a mode's input factor and the bond beside it (two adjacent axes).
    private static FactorTensor? Contract(ContractionChain chain, int position, ChainAxis[] produced, int k, double[]? core, int[] coreShape, int[] matrixAxes)
    {
        if (core is not null) return chain.Contract(position, 2, produced, CoreRole(k), FactorLayout.Permute(core, coreShape, matrixAxes));
        chain.ContractComputed(position, 2, produced, CoreRole(k));
        return null;
    }
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class TensorTrainSplitLinearOpTests
{
    // Ranks run over the bonds of the modes m₀ … m_{a−1}, n₀ … n_{b−1}; the bond after the m's is the split rank.
    private static readonly Dictionary<string, Func<LinearOptions, FactorizedWeight>> Cases = new()
    {
        ["35to6_a2_b2"] = o => RandomLayers.TensorTrainSplitLinear(1, [2, 3], [5, 7], [1, 2, 4, 3, 1], o),
        ["6to35_a2_b1_no_bias"] = o => RandomLayers.TensorTrainSplitLinear(2, [5, 7], [6], [1, 5, 3, 1], o with { Bias = false }),
        ["12to20_a3_b2"] = o => RandomLayers.TensorTrainSplitLinear(3, [2, 2, 5], [3, 4], [1, 2, 4, 3, 2, 1], o),
        ["4to6_a1_b1"] = o => RandomLayers.TensorTrainSplitLinear(4, [6], [4], [1, 3, 1], o),
    };

    public static IEnumerable<object[]> Combinations => LinearLayout.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseLayer(string caseName, string layoutName, LayerExecutionMode mode, bool inline)
    {
        var layout = LinearLayout.Named(layoutName);
        layout.AssertMatchesDense(Cases[caseName](layout.Options), mode, inline);
    }
}

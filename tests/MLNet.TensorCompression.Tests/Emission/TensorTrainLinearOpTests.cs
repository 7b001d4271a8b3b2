using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class TensorTrainLinearOpTests
{
    private static readonly Dictionary<string, Func<LinearOptions, FactorizedWeight>> Cases = new()
    {
        ["35to6_d2"] = o => RandomLayers.TensorTrainLinear(1, [2, 3], [5, 7], [1, 4, 1], o),
        ["6to35_d2_no_bias"] = o => RandomLayers.TensorTrainLinear(2, [5, 7], [2, 3], [1, 3, 1], o with { Bias = false }),
        ["12to20_d3"] = o => RandomLayers.TensorTrainLinear(3, [2, 2, 5], [2, 3, 2], [1, 3, 4, 1], o),
        ["4to6_d1"] = o => RandomLayers.TensorTrainLinear(4, [6], [4], [1, 1], o),
        ["24to24_d4_no_bias"] = o => RandomLayers.TensorTrainLinear(5, [2, 3, 2, 2], [3, 2, 2, 2], [1, 2, 3, 2, 1], o with { Bias = false }),
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

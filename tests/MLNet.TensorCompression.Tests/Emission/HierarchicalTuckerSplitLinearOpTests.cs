using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class HierarchicalTuckerSplitLinearOpTests
{
    // Trees: the root separates the out factors from the in factors, each side balanced.
    private static readonly Dictionary<string, Func<LinearOptions, FactorizedWeight>> Cases = new()
    {
        ["35to6_((0,1),(2,3))"] = o => RandomLayers.HierarchicalTuckerSplitLinear(1, [2, 3], [5, 7], 3, o),
        ["6to35_((0,1),2)_no_bias"] = o => RandomLayers.HierarchicalTuckerSplitLinear(2, [5, 7], [6], 4, o with { Bias = false }),
        ["12to20_(((0,1),2),(3,4))"] = o => RandomLayers.HierarchicalTuckerSplitLinear(3, [2, 2, 5], [3, 4], 3, o),
        ["4to6_(0,1)"] = o => RandomLayers.HierarchicalTuckerSplitLinear(4, [6], [4], 3, o),
    };

    public static IEnumerable<object[]> Combinations => LinearLayout.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseLayer(string caseName, string layoutName, LayerExecutionMode mode, bool inline)
    {
        var layout = LinearLayout.Named(layoutName);
        var weight = Cases[caseName](layout.Options);
        Assert.AreEqual(caseName[(caseName.IndexOf('_') + 1)..].Replace("_no_bias", ""), weight.Tensor.Tree.ToString());
        layout.AssertMatchesDense(weight, mode, inline);
    }
}

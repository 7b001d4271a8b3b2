using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class HierarchicalTuckerLinearOpTests
{
    private static readonly Dictionary<string, Func<LinearOptions, FactorizedWeight>> Cases = new()
    {
        ["35to6_(0,1)"] = o => RandomLayers.HierarchicalTuckerLinear(11, [2, 3], [5, 7], "(0,1)", 4, o),
        ["6to35_(0,1)_no_bias"] = o => RandomLayers.HierarchicalTuckerLinear(12, [5, 7], [2, 3], "(0,1)", 3, o with { Bias = false }),
        ["12to20_((0,1),2)"] = o => RandomLayers.HierarchicalTuckerLinear(13, [2, 2, 5], [2, 3, 2], "((0,1),2)", 3, o),
        ["12to20_(0,(1,2))_no_bias"] = o => RandomLayers.HierarchicalTuckerLinear(14, [2, 2, 5], [2, 3, 2], "(0,(1,2))", 4, o with { Bias = false }),
        ["24to24_((0,1),(2,3))"] = o => RandomLayers.HierarchicalTuckerLinear(15, [2, 3, 2, 2], [3, 2, 2, 2], "((0,1),(2,3))", 3, o),
        ["24to24_(((0,1),2),3)"] = o => RandomLayers.HierarchicalTuckerLinear(16, [2, 3, 2, 2], [3, 2, 2, 2], "(((0,1),2),3)", 2, o),
        // Boundary 3 of this tree is crossed by two edges: the tree schedule.
        ["48to30_((0,1),((2,3),4))_no_bias"] = o => RandomLayers.HierarchicalTuckerLinear(17, [1, 2, 3, 5, 1], [2, 2, 2, 2, 3], "((0,1),((2,3),4))", 3, o with { Bias = false }),
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

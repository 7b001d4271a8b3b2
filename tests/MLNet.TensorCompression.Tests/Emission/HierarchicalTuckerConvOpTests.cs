using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class HierarchicalTuckerConvOpTests
{
    // Trees run over modes 0 … d: mode 0 is (kh·kw), mode 1 the least significant channel pair.
    private static readonly Dictionary<string, Func<FactorizedWeight>> Cases = new()
    {
        ["6to10_3x3_stride2_pad1_((0,1),2)"] = () => RandomLayers.HierarchicalTuckerConv(31, [2, 5], [2, 3], 3, 3, "((0,1),2)", 4, ConvCase.StridedPadded()),
        ["6to10_3x3_stride2_pad1_(0,(1,2))_no_bias"] = () => RandomLayers.HierarchicalTuckerConv(32, [2, 5], [2, 3], 3, 3, "(0,(1,2))", 3, ConvCase.StridedPadded(bias: false)),
        ["4to6_1x1_((0,1),2)"] = () => RandomLayers.HierarchicalTuckerConv(33, [2, 3], [2, 2], 1, 1, "((0,1),2)", 3, new ConvOptions()),
        ["3to5_2x2_(0,1)_no_bias"] = () => RandomLayers.HierarchicalTuckerConv(34, [5], [3], 2, 2, "(0,1)", 2, new ConvOptions(Bias: false)),
        ["8to12_3x3_dilated_((0,1),(2,3))"] = () => RandomLayers.HierarchicalTuckerConv(35, [2, 3, 2], [2, 2, 2], 3, 3, "((0,1),(2,3))", 3, ConvCase.Dilated()),
        ["16to24_3x2_same_upper_(((0,1),2),(3,4))"] = () => RandomLayers.HierarchicalTuckerConv(36, [2, 3, 2, 2], [2, 2, 2, 2], 3, 2, "(((0,1),2),(3,4))", 3, ConvCase.SameUpper(3, 2)),
        // Boundary 3 of this tree is crossed by two edges: the tree schedule.
        ["16to24_3x3_stride2_pad1_((0,1),((2,3),4))"] = () => RandomLayers.HierarchicalTuckerConv(38, [2, 3, 2, 2], [2, 2, 2, 2], 3, 3, "((0,1),((2,3),4))", 3, ConvCase.StridedPadded()),
        ["16to24_3x2_same_upper_((((0,1),2),3),4)_no_bias"] = () => RandomLayers.HierarchicalTuckerConv(37, [2, 3, 2, 2], [2, 2, 2, 2], 3, 2, "((((0,1),2),3),4)", 2, ConvCase.SameUpper(3, 2, bias: false)),
    };

    public static IEnumerable<object[]> Combinations => ConvCase.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseConvolution(string caseName, LayerExecutionMode mode, bool inline) =>
        ConvCase.AssertMatchesDense(Cases[caseName](), mode, inline);
}

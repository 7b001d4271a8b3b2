using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class HierarchicalTuckerSplitConvOpTests
{
    // Trees: (input-channel modes, (kh·kw, output-channel modes)); channel factors are given from the most significant.
    private static readonly Dictionary<string, Func<FactorizedWeight>> Cases = new()
    {
        ["6to10_3x3_stride2_pad1"] = () => RandomLayers.HierarchicalTuckerSplitConv(31, [2, 5], [2, 3], 3, 3, 3, ConvCase.StridedPadded()),
        ["4to6_1x1_no_bias"] = () => RandomLayers.HierarchicalTuckerSplitConv(32, [2, 3], [4], 1, 1, 3, new ConvOptions(Bias: false)),
        ["3to5_2x2"] = () => RandomLayers.HierarchicalTuckerSplitConv(33, [5], [3], 2, 2, 2, new ConvOptions()),
        ["8to12_3x3_dilated"] = () => RandomLayers.HierarchicalTuckerSplitConv(34, [3, 4], [2, 2, 2], 3, 3, 3, ConvCase.Dilated()),
        ["16to24_3x2_same_upper_no_bias"] = () => RandomLayers.HierarchicalTuckerSplitConv(35, [4, 6], [4, 4], 3, 2, 4, ConvCase.SameUpper(3, 2, bias: false)),
    };

    public static IEnumerable<object[]> Combinations => ConvCase.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseConvolution(string caseName, LayerExecutionMode mode, bool inline) =>
        ConvCase.AssertMatchesDense(Cases[caseName](), mode, inline);
}

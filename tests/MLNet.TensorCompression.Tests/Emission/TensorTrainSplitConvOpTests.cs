using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class TensorTrainSplitConvOpTests
{
    // Channel factors are given from the most significant; ranks run over the modes c…, (kh·kw), s….
    private static readonly Dictionary<string, Func<FactorizedWeight>> Cases = new()
    {
        ["6to10_3x3_stride2_pad1_a2_b2"] = () => RandomLayers.TensorTrainSplitConv(21, [2, 5], [2, 3], 3, 3, [1, 2, 4, 3, 2, 1], ConvCase.StridedPadded()),
        ["4to6_1x1_a1_b2_no_bias"] = () => RandomLayers.TensorTrainSplitConv(22, [2, 3], [4], 1, 1, [1, 3, 2, 2, 1], new ConvOptions(Bias: false)),
        ["3to5_2x2_a1_b1"] = () => RandomLayers.TensorTrainSplitConv(23, [5], [3], 2, 2, [1, 2, 3, 1], new ConvOptions()),
        ["8to12_3x3_dilated_a3_b2"] = () => RandomLayers.TensorTrainSplitConv(24, [3, 4], [2, 2, 2], 3, 3, [1, 2, 4, 5, 4, 3, 1], ConvCase.Dilated()),
        ["16to24_3x2_same_upper_a2_b2_no_bias"] = () => RandomLayers.TensorTrainSplitConv(25, [4, 6], [4, 4], 3, 2, [1, 3, 5, 4, 2, 1], ConvCase.SameUpper(3, 2, bias: false)),
    };

    public static IEnumerable<object[]> Combinations => ConvCase.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseConvolution(string caseName, LayerExecutionMode mode, bool inline) =>
        ConvCase.AssertMatchesDense(Cases[caseName](), mode, inline);
}

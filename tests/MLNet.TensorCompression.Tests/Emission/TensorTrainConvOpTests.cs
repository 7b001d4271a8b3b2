using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class TensorTrainConvOpTests
{
    // Channel factors are given from the most significant; ranks run over the modes (kh·kw), then channel modes 1…d.
    private static readonly Dictionary<string, Func<FactorizedWeight>> Cases = new()
    {
        ["6to10_3x3_stride2_pad1_d2"] = () => RandomLayers.TensorTrainConv(21, [2, 5], [2, 3], 3, 3, [1, 4, 3, 1], ConvCase.StridedPadded()),
        ["4to6_1x1_d2_no_bias"] = () => RandomLayers.TensorTrainConv(22, [2, 3], [2, 2], 1, 1, [1, 1, 3, 1], new ConvOptions(Bias: false)),
        ["3to5_2x2_d1"] = () => RandomLayers.TensorTrainConv(23, [5], [3], 2, 2, [1, 2, 1], new ConvOptions()),
        ["8to12_3x3_dilated_d3"] = () => RandomLayers.TensorTrainConv(24, [2, 3, 2], [2, 2, 2], 3, 3, [1, 3, 4, 3, 1], ConvCase.Dilated()),
        ["16to24_3x2_same_upper_d4_no_bias"] = () => RandomLayers.TensorTrainConv(25, [2, 3, 2, 2], [2, 2, 2, 2], 3, 2, [1, 3, 2, 3, 2, 1], ConvCase.SameUpper(3, 2, bias: false)),
    };

    public static IEnumerable<object[]> Combinations => ConvCase.Combinations(Cases.Keys);

    [TestMethod]
    [DynamicData(nameof(Combinations))]
    public void MatchesTheDenseConvolution(string caseName, LayerExecutionMode mode, bool inline) =>
        ConvCase.AssertMatchesDense(Cases[caseName](), mode, inline);
}

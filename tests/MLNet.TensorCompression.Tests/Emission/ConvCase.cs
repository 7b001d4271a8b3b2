using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>Convolution geometries for the tests, and the check that an emitted convolution matches the dense one.</summary>
internal static class ConvCase
{
    /// <summary>An input of [2, C_in, 7, 9]: odd, non-square.</summary>
    public static readonly int[] InputGrid = [7, 9];

    /// <summary>strides 2, pads 1.</summary>
    public static ConvOptions StridedPadded(bool bias = true) =>
        new(bias) { Attributes = [OnnxAttributes.Ints("strides", [2, 2]), OnnxAttributes.Ints("pads", [1, 1, 1, 1])] };

    /// <summary>dilations 2, asymmetric pads.</summary>
    public static ConvOptions Dilated(bool bias = true) =>
        new(bias) { Attributes = [OnnxAttributes.Ints("dilations", [2, 2]), OnnxAttributes.Ints("pads", [2, 1, 1, 2]), OnnxAttributes.Int("group", 1)] };

    /// <summary>auto_pad SAME_UPPER with strides (1, 2) and an explicit kernel_shape.</summary>
    public static ConvOptions SameUpper(int kh, int kw, bool bias = true) =>
        new(bias) { Attributes = [OnnxAttributes.String("auto_pad", "SAME_UPPER"), OnnxAttributes.Ints("strides", [1, 2]), OnnxAttributes.Ints("kernel_shape", [kh, kw])] };

    /// <summary>Every (case, mode, inline) combination, for DynamicData.</summary>
    public static IEnumerable<object[]> Combinations(IEnumerable<string> caseNames) =>
        from caseName in caseNames
        from mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed }
        from inline in new[] { false, true }
        select new object[] { caseName, mode, inline };

    /// <summary>Emits the convolution in the given form and checks it against ONNX Runtime's Conv with the rebuilt kernel, to 1e-4 relative.</summary>
    public static void AssertMatchesDense(FactorizedWeight weight, LayerExecutionMode mode, bool inline)
    {
        long[] shape = [2, weight.Layer.InputSize, InputGrid[0], InputGrid[1]];
        var x = LayerScoring.Input(seed: 5, shape.Aggregate(1L, (a, b) => a * b));
        var (expected, expectedShape) = DenseReference.Conv(weight, x, shape);

        var (actual, actualShape) = EmittedLayers.Score(weight, mode, inline, x, shape,
            [null, weight.Layer.InputSize, null, null], [null, weight.Layer.OutputSize, null, null]);

        CollectionAssert.AreEqual(expectedShape, actualShape);
        Assert.IsLessThan(1e-4, LayerScoring.RelativeError(expected, actual));
    }
}

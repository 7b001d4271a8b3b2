using MLNet.TensorCompression.Onnx;

using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Compares <see cref="OnnxTorchGraph.Forward"/> with ONNX Runtime on the same input.</summary>
internal static class GraphAgreement
{
    /// <summary>
    /// Float32 sums in another order differ by a few ulps per layer; 1e-4 of the output's scale is well above that
    /// and far below any real error (a wrong pad or transpose moves logits by whole units).
    /// </summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>The torch forward of <paramref name="model"/> on <paramref name="input"/>, as floats.</summary>
    public static float[] TorchForward(OnnxTorchGraph graph, float[] input, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = graph.Forward(tensor(input, shape));
        return output.contiguous().data<float>().ToArray();
    }

    /// <summary>Asserts torch and ONNX Runtime agree within <see cref="RelativeTolerance"/> of the largest |output|.</summary>
    public static void AssertAgrees(OnnxModel model, float[] input, long[] shape, string what)
    {
        using var graph = OnnxTorchGraph.Create(model, trainFactors: false);
        AssertClose(OrtScoring.Run(model.ToBytes(), input, shape), TorchForward(graph, input, shape), what);
    }

    /// <summary>Asserts the two outputs agree within <see cref="RelativeTolerance"/> of the largest |expected| (at least 1).</summary>
    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual);
        var scale = Math.Max(1.0, expected.Max(v => Math.Abs(v)));
        var maxDifference = expected.Zip(actual, (e, a) => Math.Abs(e - (double)a)).Max();
        Assert.IsLessThanOrEqualTo(RelativeTolerance * scale, maxDifference, $"{what}: max |ORT - torch| = {maxDifference:G3} at output scale {scale:G3}");
    }
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Finding;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// Small random-weight models whose outputs are not class scores, over x[N,4,6,6]: a featurizer ending in
/// GlobalAveragePool ([N,16,1,1], like ML.NET's ResNet-18 featurizer's [1,512,1,1]), a sequence model with per-position
/// scores ([N,6,10], like a CTC text recogniser), and the featurizer with a classifier head as a second output.
/// </summary>
internal static class DistilledOutputModels
{
    public const int Channels = 4;
    public const int Size = 6;

    /// <summary>x → conv 8×4×3×3 → Relu → conv 16×8×3×3 → Relu → GlobalAveragePool → features [N,16,1,1]; with a head, also Flatten → Gemm 6×16 → y [N,6].</summary>
    public static OnnxModel Featurizer(bool withClassifierHead = false)
    {
        var graph = Trunk(new TestGraph().Input("x", Batch, Channels, Size, Size).Output("features"))
            .Initializer("conv2.weight", [16, 8, 3, 3], Values(16 * 8 * 9, seed: 33).Select(v => v / 4).ToArray())
            .Node("Conv", "conv2", ["r", "conv2.weight"], ["c2"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu2", ["c2"], ["r2"])
            .Node("GlobalAveragePool", "pool", ["r2"], ["features"]);
        if (withClassifierHead)
        {
            graph.Output("y")
                .Initializer("fc.weight", [6, 16], Values(6 * 16, seed: 34))
                .Node("Flatten", "flatten", ["features"], ["f"], Int("axis", 1))
                .Node("Gemm", "fc", ["f", "fc.weight"], ["y"], Int("transB", 1));
        }

        return graph.Build();
    }

    /// <summary>
    /// x → conv 8×4×3×3 → Relu → Reshape [N,48,6] → Transpose → [N,6,48] → MatMul 48×10 → scores [N,6,10]. The head
    /// has rank 2, so a rank-2 student can hold it: what the compressed trunk loses is what distillation can win back.
    /// </summary>
    public static OnnxModel Sequence() =>
        Trunk(new TestGraph().Input("x", Batch, Channels, Size, Size).Output("scores"))
            .Initializer(TinyModels.Int64s("columns", 0, 48, 6))
            .Initializer("head.weight", [48, 10], RankTwo(48, 10, seed: 35))
            .Node("Reshape", "columns_of_positions", ["r", "columns"], ["columns_out"])
            .Node("Transpose", "positions", ["columns_out"], ["sequence"], Ints("perm", 0, 2, 1))
            .Node("MatMul", "head", ["sequence", "head.weight"], ["scores"])
            .Build();

    /// <summary>Compression that loses much of every layer (rank 2, the input convolution included), so distillation has something to recover;
    /// interleaved, the layout these tests' margins were measured with (split ones at rank 2 lose less to begin with).</summary>
    public static CompressionOptions Lossy() => new() { MaxRank = 2, MinimumLayerParameters = 0, CompressInputConvolution = true, Layout = TensorLayout.Interleaved };

    /// <summary>Seeded inputs for <paramref name="rows"/> samples.</summary>
    public static CalibrationSet Samples(int rows, int seed) => new("x", [Channels, Size, Size], Values(rows * Channels * Size * Size, seed));

    private static float[] RankTwo(int rows, int columns, int seed)
    {
        var left = Values(rows * 2, seed);
        var right = Values(2 * columns, seed + 1);
        return Enumerable.Range(0, rows * columns)
            .Select(i => left[i / columns * 2] * right[i % columns] + left[i / columns * 2 + 1] * right[columns + i % columns])
            .ToArray();
    }

    private static TestGraph Trunk(TestGraph graph) =>
        graph.Initializer("conv.weight", [8, Channels, 3, 3], Values(8 * Channels * 9, seed: 31))
            .Initializer("conv.bias", [8], Values(8, seed: 32))
            .Node("Conv", "conv", ["x", "conv.weight", "conv.bias"], ["c"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu", ["c"], ["r"]);
}

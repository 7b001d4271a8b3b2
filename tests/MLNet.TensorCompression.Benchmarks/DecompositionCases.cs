using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>The decomposition workloads the issue names: weight shape, format and rank, from random float weights.</summary>
public static class DecompositionCases
{
    /// <summary>Case names accepted by <see cref="Prepare"/>.</summary>
    public static readonly string[] Names =
    [
        "fc-512x6272-tt-r16", "fc-512x6272-tt-r64", "fc-512x6272-ht-r16", "fc-512x6272-ht-r64",
        "conv-128x128x3x3-tt-r16", "conv-128x128x3x3-ht-r16",
        "fc-4096x25088-tt-r32", "fc-4096x25088-ht-r32",
    ];

    /// <summary>Makes the weight for a case and returns the work to time: tensorise, decompose, return the relative error.</summary>
    public static Func<double> Prepare(string name)
    {
        var parts = name.Split('-');
        var shape = parts[1].Split('x').Select(int.Parse).ToArray();
        bool tensorTrain = parts[2] == "tt";
        int rank = int.Parse(parts[3].TrimStart('r'));
        var tensorization = shape.Length == 2
            ? Tensorization.ForMatrix(shape[0], shape[1])
            : Tensorization.ForConvKernel(shape[0], shape[1], shape[2], shape[3]);
        var weight = RandomWeight(tensorization.ElementCount, seed: 42);
        var truncation = Truncation.ToRank(rank);
        return () =>
        {
            var tensor = tensorization.Fold(weight);
            return tensorTrain
                ? TensorTrain.Decompose(tensor, tensorization.ModeSizes, truncation).RelativeError
                : HierarchicalTucker.Decompose(tensor, tensorization.ModeSizes, null, truncation).RelativeError;
        };
    }

    private static float[] RandomWeight(long count, int seed)
    {
        var random = new Random(seed);
        var weight = new float[count];
        for (long i = 0; i < count; i++) weight[i] = (float)(random.NextDouble() - 0.5);
        return weight;
    }
}

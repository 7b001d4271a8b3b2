using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

/// <summary>Seeded random tensors for the decomposition tests.</summary>
internal static class RandomTensors
{
    public static double[] Gaussian(Random random, long count)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++) values[i] = Normal(random);
        return values;
    }

    /// <summary>A random tensor of exact TT ranks <paramref name="ranks"/> (d+1 values, 1 at both ends).</summary>
    public static TensorTrain TensorTrainOfRanks(Random random, int[] modeSizes, int[] ranks) =>
        new(modeSizes, ranks, Enumerable.Range(0, modeSizes.Length)
            .Select(k => Gaussian(random, (long)ranks[k] * modeSizes[k] * ranks[k + 1])).ToArray());

    /// <summary>A random HT tensor on <paramref name="tree"/> with the given rank for every non-root node.</summary>
    public static HierarchicalTucker HierarchicalTuckerOfRank(Random random, DimensionTree tree, int[] modeSizes, int rank)
    {
        var ranks = tree.Nodes.Select(n => n == tree.Root ? 1 : Math.Min(rank, n.IsLeaf ? modeSizes[n.FirstMode] : rank)).ToArray();
        var factors = tree.Nodes.Select(n => Gaussian(random, n.IsLeaf
            ? (long)modeSizes[n.FirstMode] * ranks[n.Id]
            : (long)ranks[n.Left!.Id] * ranks[n.Right!.Id] * ranks[n.Id])).ToArray();
        return new HierarchicalTucker(tree, modeSizes, ranks, factors);
    }

    /// <summary>A random HT tensor on <paramref name="tree"/> with the rank of every node given by its id (the root's must be 1).</summary>
    public static HierarchicalTucker HierarchicalTuckerOfRanks(Random random, DimensionTree tree, int[] modeSizes, int[] ranks) =>
        new(tree, modeSizes, ranks, tree.Nodes.Select(n => Gaussian(random, n.IsLeaf
            ? (long)modeSizes[n.FirstMode] * ranks[n.Id]
            : (long)ranks[n.Left!.Id] * ranks[n.Right!.Id] * ranks[n.Id])).ToArray());

    /// <summary>A copy of <paramref name="values"/> with Gaussian noise of standard deviation <paramref name="noise"/> added.</summary>
    public static double[] Perturbed(Random random, double[] values, double noise) =>
        values.Zip(Gaussian(random, values.Length), (v, n) => v + noise * n).ToArray();

    public static double RelativeDistance(double[] expected, double[] actual)
    {
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i] - actual[i];
            difference += e * e;
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class HierarchicalTuckerTests
{
    [TestMethod]
    [DataRow("((0,1),(2,3))", new[] { 4, 5, 6, 3 }, 2)]
    [DataRow("(((0,1),2),(3,4))", new[] { 3, 4, 5, 3, 4 }, 3)]
    [DataRow("(0,(1,2))", new[] { 6, 7, 8 }, 4)]
    [DataRow("(0,1)", new[] { 9, 11 }, 5)]
    public void RecoversTensorOfExactRanks(string bracketing, int[] modeSizes, int rank)
    {
        var tree = DimensionTree.Parse(bracketing);
        var original = RandomTensors.HierarchicalTuckerOfRank(new Random(11), tree, modeSizes, rank);
        var dense = original.ToDense();

        var result = HierarchicalTucker.Decompose(dense, modeSizes, tree, Truncation.ToTolerance(1e-9));

        foreach (var node in tree.Nodes)
            Assert.IsLessThanOrEqualTo(original.Ranks[node.Id], result.Value.Ranks[node.Id], $"rank of node {node}");
        Assert.IsLessThan(1e-5, RandomTensors.RelativeDistance(dense, result.Value.ToDense()));
        Assert.IsLessThan(1e-6, result.RelativeError);
    }

    [TestMethod]
    public void ToleranceBoundHoldsOnRandomTensors()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            var random = new Random(100 + seed);
            int d = 2 + seed % 4;
            var modes = Enumerable.Range(0, d).Select(_ => random.Next(2, 7)).ToArray();
            var dense = RandomTensors.Gaussian(random, modes.Aggregate(1L, (a, b) => a * b));
            var tree = seed % 3 == 0 ? DimensionTree.Caterpillar(d) : DimensionTree.Balanced(d);
            double tolerance = new[] { 0.05, 0.2, 0.5, 0.8 }[seed % 4];

            var result = HierarchicalTucker.Decompose(dense, modes, tree, Truncation.ToTolerance(tolerance));

            double measured = RandomTensors.RelativeDistance(dense, result.Value.ToDense());
            Assert.IsLessThanOrEqualTo(tolerance * (1 + 1e-9), measured, $"seed {seed}, tree {tree}, modes [{string.Join(",", modes)}], ε {tolerance}");
            Assert.AreEqual(measured, result.RelativeError, 1e-8, $"seed {seed}: reported error");
        }
    }

    [TestMethod]
    public void RankCapsApplyPerNode()
    {
        var tree = DimensionTree.Balanced(4);
        var dense = RandomTensors.Gaussian(new Random(8), 5 * 5 * 5 * 5);

        var result = HierarchicalTucker.Decompose(dense, [5, 5, 5, 5], tree, Truncation.ToRank(3));

        foreach (var node in tree.Nodes.Where(n => n != tree.Root))
            Assert.AreEqual(3, result.Value.Ranks[node.Id], $"node {node}");
        // Leaves 4·(5·3) + two inner nodes 2·(3·3·3) + root 3·3·1.
        Assert.AreEqual(4 * 15 + 2 * 27 + 9, result.Value.ParameterCount);
        Assert.AreEqual(RandomTensors.RelativeDistance(dense, result.Value.ToDense()), result.RelativeError, 1e-9);
    }

    [TestMethod]
    public void CaterpillarTreeMatchesTensorTrain()
    {
        // TT bond k (after mode k) is the HT node over modes 0..k; with the other leaves left whole both truncate the same subspaces.
        int[] modes = [4, 5, 3, 6, 4];
        var dense = RandomTensors.Gaussian(new Random(21), modes.Aggregate(1, (a, b) => a * b));
        var tree = DimensionTree.Caterpillar(modes.Length);
        var caps = tree.Nodes.Select(n => n.FirstMode == 0 && n != tree.Root ? 3 : int.MaxValue).ToArray();

        var tt = TensorTrain.Decompose(dense, modes, Truncation.ToRank(3));
        var ht = HierarchicalTucker.Decompose(dense, modes, tree, new Truncation { MaxRanks = caps });

        Assert.AreEqual(tt.RelativeError, ht.RelativeError, 1e-10);
        Assert.AreEqual(RandomTensors.RelativeDistance(dense, tt.Value.ToDense()), RandomTensors.RelativeDistance(dense, ht.Value.ToDense()), 1e-10);
    }

    [TestMethod]
    public void DefaultTreeIsBalanced()
    {
        var result = HierarchicalTucker.Decompose(RandomTensors.Gaussian(new Random(1), 2 * 3 * 4 * 5 * 2), [2, 3, 4, 5, 2], null, Truncation.ToRank(2));
        Assert.AreEqual("(((0,1),2),(3,4))", result.Value.Tree.ToString());
    }

    [TestMethod]
    public void InputIsNotModifiedAndInvalidArgumentsAreNamed()
    {
        var dense = RandomTensors.Gaussian(new Random(2), 60);
        var copy = (double[])dense.Clone();
        HierarchicalTucker.Decompose(dense, [3, 4, 5], null, Truncation.ToRank(2));
        CollectionAssert.AreEqual(copy, dense);

        Assert.AreEqual("MaxRank", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HierarchicalTucker.Decompose(dense, [3, 4, 5], null, Truncation.ToRank(-1))).ParamName);
        Assert.AreEqual("Tolerance", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HierarchicalTucker.Decompose(dense, [3, 4, 5], null, Truncation.ToTolerance(double.NaN))).ParamName);
        Assert.Contains("5 nodes", Assert.ThrowsExactly<ArgumentException>(() => HierarchicalTucker.Decompose(dense, [3, 4, 5], null, new Truncation { MaxRanks = [1, 2] })).Message);
        Assert.Contains("tree has 2 modes", Assert.ThrowsExactly<ArgumentException>(() => HierarchicalTucker.Decompose(dense, [3, 4, 5], DimensionTree.Balanced(2), Truncation.ToRank(2))).Message);
        dense[7] = double.NegativeInfinity;
        Assert.Contains("element 7", Assert.ThrowsExactly<ArgumentException>(() => HierarchicalTucker.Decompose(dense, [3, 4, 5], null, Truncation.ToRank(2))).Message);
    }
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class HierarchicalTuckerGradientTests
{
    [TestMethod]
    [DataRow("(0,1)", new[] { 4, 5 })]
    [DataRow("(0,(1,2))", new[] { 3, 4, 2 })]
    [DataRow("((0,1),2)", new[] { 2, 3, 4 })]
    [DataRow("((0,1),(2,3))", new[] { 3, 2, 4, 3 })]
    [DataRow("(((0,1),2),3)", new[] { 2, 3, 2, 4 })]
    [DataRow("((0,1),(2,(3,4)))", new[] { 2, 3, 2, 3, 2 })]
    [DataRow("(((0,1),2),(3,4))", new[] { 3, 2, 2, 2, 3 })]
    public void MatchesFiniteDifferences(string bracketing, int[] modeSizes)
    {
        var random = new Random(bracketing.Length + modeSizes.Sum());
        var tree = DimensionTree.Parse(bracketing);
        // Uneven ranks, including rank 1 and ranks above a leaf's mode size.
        var ranks = tree.Nodes.Select(n => n == tree.Root ? 1 : random.Next(1, 5)).ToArray();
        var tensor = RandomTensors.HierarchicalTuckerOfRanks(random, tree, modeSizes, ranks);
        foreach (var loss in DenseLoss.BothRandom(random, modeSizes.Aggregate(1L, (a, b) => a * b)))
        {
            var analytic = tensor.ReconstructionGradient(loss.Gradient(tensor.ToDense()));

            var numeric = FiniteDifferences.Gradient(tensor.Factors, () => loss.Value(tensor.ToDense()), step: 1e-3);

            FiniteDifferences.AssertClose(numeric, analytic, 1e-6, $"{loss.Name}, tree {tree}, ranks [{string.Join(",", ranks)}]");
        }
    }

    [TestMethod]
    public void GradientDescentRecoversTensorOfExactRanks()
    {
        // A unit-norm target in HT-SVD form (orthonormal frames) keeps the problem well conditioned for a fixed step.
        var random = new Random(6);
        int[] modes = [3, 4, 3, 2];
        var tree = DimensionTree.Balanced(modes.Length);
        var exact = RandomTensors.HierarchicalTuckerOfRank(random, tree, modes, 2).ToDense();
        double norm = Math.Sqrt(exact.Sum(v => v * v));
        var target = HierarchicalTucker.Decompose(exact.Select(v => v / norm).ToArray(), modes, tree, Truncation.ToTolerance(1e-12)).Value;
        var loss = DenseLoss.HalfSquaredDistance(target.ToDense());
        var tensor = target.WithFactors(target.Factors.Select(factor => RandomTensors.Perturbed(random, factor, 0.1)).ToArray());
        double initial = loss.Value(tensor.ToDense()), previous = initial;

        for (int step = 0; step < 200; step++)
        {
            var gradient = tensor.ReconstructionGradient(loss.Gradient(tensor.ToDense()));
            tensor = tensor.WithFactors(tensor.Factors.Select((factor, t) => factor.Zip(gradient[t], (v, g) => v - 0.2 * g).ToArray()).ToArray());
            double current = loss.Value(tensor.ToDense());
            Assert.IsLessThanOrEqualTo(previous, current, $"step {step}");
            previous = current;
        }

        Assert.IsLessThan(1e-3 * initial, previous);
    }

    [TestMethod]
    public void RejectsGradientOfWrongLength()
    {
        var tensor = RandomTensors.HierarchicalTuckerOfRank(new Random(1), DimensionTree.Balanced(3), [3, 4, 5], 2);

        var error = Assert.ThrowsExactly<ArgumentException>(() => tensor.ReconstructionGradient(new double[61]));

        Assert.AreEqual("denseGradient", error.ParamName);
        Assert.Contains("60 values", error.Message);
    }

    [TestMethod]
    public void WithFactorsKeepsShapesAndUsesTheNewValues()
    {
        var tensor = RandomTensors.HierarchicalTuckerOfRank(new Random(2), DimensionTree.Balanced(3), [3, 4, 5], 2);
        var rootDoubled = tensor.Factors.Select((factor, t) => t == tensor.Tree.Root.Id ? factor.Select(v => 2 * v).ToArray() : factor).ToArray();

        var copy = tensor.WithFactors(rootDoubled);

        Assert.AreSame(tensor.Tree, copy.Tree);
        CollectionAssert.AreEqual(tensor.Ranks.ToArray(), copy.Ranks.ToArray());
        Assert.AreSame(rootDoubled[1], copy.Factors[1]);
        CollectionAssert.AreEqual(tensor.ToDense().Select(v => 2 * v).ToArray(), copy.ToDense());
        rootDoubled[2] = new double[1];
        Assert.AreEqual("factors", Assert.ThrowsExactly<ArgumentException>(() => tensor.WithFactors(rootDoubled)).ParamName);
    }
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class TensorTrainGradientTests
{
    [TestMethod]
    [DataRow(new[] { 5 }, new[] { 1, 1 })]
    [DataRow(new[] { 3, 4 }, new[] { 1, 3, 1 })]
    [DataRow(new[] { 4, 2, 5 }, new[] { 1, 3, 2, 1 })]
    [DataRow(new[] { 3, 2, 4, 3 }, new[] { 1, 2, 5, 3, 1 })]
    [DataRow(new[] { 2, 3, 1, 4 }, new[] { 1, 2, 4, 1, 1 })]
    public void MatchesFiniteDifferences(int[] modeSizes, int[] ranks)
    {
        var random = new Random(modeSizes.Sum() + ranks.Sum());
        var train = RandomTensors.TensorTrainOfRanks(random, modeSizes, ranks);
        foreach (var loss in DenseLoss.BothRandom(random, modeSizes.Aggregate(1L, (a, b) => a * b)))
        {
            var analytic = train.ReconstructionGradient(loss.Gradient(train.ToDense()));

            var numeric = FiniteDifferences.Gradient(train.Cores, () => loss.Value(train.ToDense()), step: 1e-3);

            FiniteDifferences.AssertClose(numeric, analytic, 1e-6, $"{loss.Name}, modes [{string.Join(",", modeSizes)}]");
        }
    }

    [TestMethod]
    public void GradientDescentRecoversTensorOfExactRanks()
    {
        // A unit-norm target in TT-SVD form (orthonormal cores) keeps the problem well conditioned for a fixed step.
        var random = new Random(5);
        int[] modes = [3, 4, 3, 2];
        var exact = RandomTensors.TensorTrainOfRanks(random, modes, [1, 2, 3, 2, 1]).ToDense();
        double norm = Math.Sqrt(exact.Sum(v => v * v));
        var target = TensorTrain.Decompose(exact.Select(v => v / norm).ToArray(), modes, Truncation.ToTolerance(1e-12)).Value;
        var loss = DenseLoss.HalfSquaredDistance(target.ToDense());
        var train = target.WithCores(target.Cores.Select(core => RandomTensors.Perturbed(random, core, 0.1)).ToArray());
        double initial = loss.Value(train.ToDense()), previous = initial;

        for (int step = 0; step < 200; step++)
        {
            var gradient = train.ReconstructionGradient(loss.Gradient(train.ToDense()));
            train = train.WithCores(train.Cores.Select((core, k) => core.Zip(gradient[k], (v, g) => v - 0.5 * g).ToArray()).ToArray());
            double current = loss.Value(train.ToDense());
            Assert.IsLessThanOrEqualTo(previous, current, $"step {step}");
            previous = current;
        }

        Assert.IsLessThan(1e-4 * initial, previous);
    }

    [TestMethod]
    public void RejectsGradientOfWrongLength()
    {
        var train = RandomTensors.TensorTrainOfRanks(new Random(1), [3, 4, 5], [1, 2, 2, 1]);

        var error = Assert.ThrowsExactly<ArgumentException>(() => train.ReconstructionGradient(new double[59]));

        Assert.AreEqual("denseGradient", error.ParamName);
        Assert.Contains("60 values", error.Message);
    }

    [TestMethod]
    public void WithCoresKeepsShapesAndUsesTheNewValues()
    {
        var train = RandomTensors.TensorTrainOfRanks(new Random(2), [3, 4], [1, 2, 1]);
        var doubled = train.Cores.Select(core => core.Select(v => 2 * v).ToArray()).ToArray();

        var copy = train.WithCores(doubled);

        CollectionAssert.AreEqual(train.Ranks.ToArray(), copy.Ranks.ToArray());
        Assert.AreSame(doubled[1], copy.Cores[1]);
        CollectionAssert.AreEqual(train.ToDense().Select(v => 4 * v).ToArray(), copy.ToDense());
        Assert.AreEqual("cores", Assert.ThrowsExactly<ArgumentException>(() => train.WithCores([doubled[0], new double[7]])).ParamName);
    }
}

using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Tests.Planning;

/// <summary>
/// The least-total rules (weight error and output error share the allocator) on made-up ladders whose errors need not be
/// convex in the size, as measured output errors are not: with two layers every choice is one move away, so the result
/// must be the best pair within the budget.
/// </summary>
[TestClass]
public sealed class RankAllocatorTests
{
    [TestMethod]
    [DataRow(RankAllocation.LeastTotalError)]
    [DataRow(RankAllocation.OutputError)]
    public void TwoLaddersGetTheBestPairWithinTheBudget(RankAllocation allocation)
    {
        var model = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var plans = OnnxModelCompressor.PlanFormats(model, LayerFinder.Find(model), new CompressionOptions());
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var ladders = new[] { Ladder(plans[0], random), Ladder(plans[1], random) };
            long budget = random.NextInt64(ladders.Sum(l => l[^1].Parameters), ladders.Sum(l => l[0].Parameters));
            var best = ladders[0].SelectMany(a => ladders[1].Select(b => (A: a, B: b)))
                .Where(p => p.A.Parameters + p.B.Parameters <= budget).Min(p => p.A.ErrorSquared + p.B.ErrorSquared);

            var chosen = RankAllocator.Allocate(ladders, otherParameters: 0, budget, allocation);
            var picked = chosen.Select((layer, i) => ladders[i].Single(c => ReferenceEquals(c.Layer, layer))).ToArray();
            Assert.IsLessThanOrEqualTo(budget, picked.Sum(c => c.Parameters), $"trial {trial}: within the budget");
            Assert.AreEqual(best, picked.Sum(c => c.ErrorSquared), 1e-12, $"trial {trial}: the least total error of any pair");
        }
    }

    // Dense (error 0), then ever smaller candidates whose errors rise, but not convexly.
    private static List<RankCandidate> Ladder(LayerPlan plan, Random random)
    {
        long parameters = 10_000;
        double error = 0;
        var ladder = new List<RankCandidate> { new(new PlannedLayer(plan, null), parameters, 0, null) };
        for (int rank = 12; rank >= 1; rank--)
        {
            parameters -= random.Next(100, 1500);
            error += random.NextDouble() * random.NextDouble();
            ladder.Add(new RankCandidate(new PlannedLayer(plan, null), parameters, error, rank));
        }
        return ladder;
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class SplitAtBondTests
{
    public static IEnumerable<object[]> Splits =>
    [
        ["TT, first bond", RandomTensors.TensorTrainOfRanks(new Random(1), [4, 3, 5, 2], [1, 3, 5, 2, 1]), 1],
        ["TT, middle bond", RandomTensors.TensorTrainOfRanks(new Random(2), [4, 3, 5, 2], [1, 3, 5, 2, 1]), 2],
        ["TT, last bond", RandomTensors.TensorTrainOfRanks(new Random(3), [4, 3, 5, 2], [1, 3, 5, 2, 1]), 3],
        ["HT, root split", RandomTensors.HierarchicalTuckerOfRank(new Random(4), DimensionTree.Parse("((0,1),(2,(3,4)))"), [3, 2, 4, 2, 3], 3), 2],
    ];

    [TestMethod]
    [DynamicData(nameof(Splits))]
    public void TheSidesMultiplyToTheTensor(string name, FactorizedTensor tensor, int bond)
    {
        var (leading, trailing) = tensor.SplitAtBond(bond)!.Value;
        Assert.AreEqual(tensor.ModeSizes.Take(bond).Aggregate(1, (a, b) => a * b), leading.Rows, name);
        Assert.IsLessThan(1e-12, RandomTensors.RelativeDistance(tensor.ToDense(), Gemm.Multiply(leading, trailing).Data), name);
    }

    [TestMethod]
    [DynamicData(nameof(Splits))]
    public void TheSplitGradientIsTheReconstructionGradient(string name, FactorizedTensor tensor, int bond)
    {
        // For any dense gradient D (read as leading × trailing), the sides' gradients are D·Trailingᵀ and Leadingᵀ·D.
        var (leading, trailing) = tensor.SplitAtBond(bond)!.Value;
        var dense = new Matrix(leading.Rows, trailing.Cols, RandomTensors.Gaussian(new Random(5), (long)leading.Rows * trailing.Cols));
        var expected = tensor.ReconstructionGradient(dense.Data);
        var actual = tensor.SplitGradient(bond, Gemm.MultiplyTransposeB(dense, trailing), Gemm.TransposeAMultiply(leading, dense));
        Assert.HasCount(expected.Length, actual, name);
        for (int k = 0; k < expected.Length; k++)
            Assert.IsLessThan(1e-12, RandomTensors.RelativeDistance(expected[k], actual[k]), $"{name}: factor {k}");
    }

    [TestMethod]
    public void AnHtTreeWhoseRootSplitsElsewhereHasNoBondThere()
    {
        var tucker = RandomTensors.HierarchicalTuckerOfRank(new Random(6), DimensionTree.Parse("((0,1),(2,3))"), [2, 3, 2, 3], 2);
        Assert.IsNull(tucker.SplitAtBond(1));
        Assert.IsNull(tucker.SplitAtBond(3));
        Assert.IsNotNull(tucker.SplitAtBond(2));
    }
}

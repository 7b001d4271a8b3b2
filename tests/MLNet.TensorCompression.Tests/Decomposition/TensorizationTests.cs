using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class TensorizationTests
{
    [TestMethod]
    public void MatrixModesInterleaveRowAndColumnFactors()
    {
        var t = Tensorization.ForMatrix(4096, 25088);
        Assert.AreEqual("(8·16)(8·14)(8·14)(8·8)", t.ToString());
        CollectionAssert.AreEqual(new[] { 128, 112, 112, 64 }, t.ModeSizes.ToArray());
        Assert.AreEqual("(8·28)(8·16)(8·14)", Tensorization.ForMatrix(512, 6272, 3).ToString());
    }

    [TestMethod]
    public void FoldPlacesEachMatrixElementAtItsInterleavedIndex()
    {
        var t = Tensorization.ForMatrix([3, 2], [4, 5]); // rows 6 = (i0,i1), cols 20 = (j0,j1)
        var weight = Enumerable.Range(0, 6 * 20).Select(v => (float)v).ToArray();
        var tensor = t.Fold(weight);
        for (int i0 = 0; i0 < 3; i0++)
        for (int i1 = 0; i1 < 2; i1++)
        for (int j0 = 0; j0 < 4; j0++)
        for (int j1 = 0; j1 < 5; j1++)
        {
            int row = i0 * 2 + i1, col = j0 * 5 + j1;
            int mode0 = i0 * 4 + j0, mode1 = i1 * 5 + j1; // modes (3·4) and (2·5)
            Assert.AreEqual(weight[row * 20 + col], tensor[mode0 * 10 + mode1]);
        }
        CollectionAssert.AreEqual(weight, t.Unfold(tensor));
    }

    [TestMethod]
    public void ConvKernelUsesSpatialModeThenChannelPairs()
    {
        var t = Tensorization.ForConvKernel([2, 3], [2, 2], 3, 1); // C_out 6 = (s0,s1), C_in 4 = (c0,c1), 3×1 kernel
        Assert.AreEqual("(3·1)(2·3)(2·2)", t.ToString(), "spatial mode, then channel pairs from the least significant");
        var kernel = Enumerable.Range(0, 6 * 4 * 3).Select(v => (float)v).ToArray();
        var tensor = t.Fold(kernel);
        for (int s0 = 0; s0 < 2; s0++)
        for (int s1 = 0; s1 < 3; s1++)
        for (int c0 = 0; c0 < 2; c0++)
        for (int c1 = 0; c1 < 2; c1++)
        for (int h = 0; h < 3; h++)
        {
            int outChannel = s0 * 3 + s1, inChannel = c0 * 2 + c1;
            int spatial = h, pair1 = c1 * 3 + s1, pair0 = c0 * 2 + s0; // modes (c1·s1) then (c0·s0)
            Assert.AreEqual(kernel[(outChannel * 4 + inChannel) * 3 + h], tensor[(spatial * 6 + pair1) * 4 + pair0]);
        }
        CollectionAssert.AreEqual(kernel, t.Unfold(tensor));
        Assert.AreEqual("(3·3)(4·4)(4·4)(8·8)", Tensorization.ForConvKernel(128, 128, 3, 3).ToString());
    }

    [TestMethod]
    [DataRow(7, 13)]
    [DataRow(1, 1)]
    [DataRow(1, 10)]
    [DataRow(97, 4096)]
    [DataRow(10, 7)]
    public void AwkwardSizesGiveAValidTensorization(int rows, int cols)
    {
        var t = Tensorization.ForMatrix(rows, cols);
        Assert.AreEqual((long)rows * cols, t.ElementCount);
        Assert.IsTrue(t.ModeSizes.All(n => n >= 1));
        var weight = Enumerable.Range(0, rows * cols).Select(v => (float)v).ToArray();
        CollectionAssert.AreEqual(weight, t.Unfold(t.Fold(weight)));
    }

    [TestMethod]
    public void PrimeSizesFallBackToASingleMode()
    {
        Assert.HasCount(1, Tensorization.ForMatrix(7, 13).ModeSizes);
        Assert.AreEqual("(5·7)(2·1)", Tensorization.ForMatrix(10, 7).ToString());
        Assert.HasCount(1, Tensorization.ForConvKernel(7, 1, 5, 5).ModeSizes.Skip(1).ToArray());
    }

    [TestMethod]
    public void InvalidArgumentsAreNamed()
    {
        Assert.AreEqual("rows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensorization.ForMatrix(0, 4)).ParamName);
        Assert.AreEqual("modeCount", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensorization.ForMatrix(4, 4, 0)).ParamName);
        Assert.AreEqual("columnFactors", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensorization.ForMatrix([2], [0])).ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => Tensorization.ForMatrix([2, 2], [4]));
        Assert.AreEqual("weight", Assert.ThrowsExactly<ArgumentException>(() => Tensorization.ForMatrix(2, 2).Fold(new float[3])).ParamName);
    }

    [TestMethod]
    public void SplitMatrixPutsRowFactorsThenColumnFactorsEachInAModeOfItsOwn()
    {
        var t = Tensorization.ForMatrixSplit(512, 6272);
        Assert.AreEqual(TensorLayout.Split, t.Layout);
        Assert.AreEqual("(8)(8)(8)|(14)(8)(8)(7)", t.ToString(), "each side: the fewest factors ≤ 16");
        Assert.AreEqual(3, t.LeadingModeCount);
        // Row-major W [M, N] is already the tensor (m₀, …, n₀, …): the fold is the identity.
        var small = Tensorization.ForMatrixSplit([3, 2], [4, 5]);
        Assert.AreEqual("(3)(2)|(4)(5)", small.ToString());
        var weight = Enumerable.Range(0, 6 * 20).Select(v => (float)v).ToArray();
        CollectionAssert.AreEqual(weight.Select(v => (double)v).ToArray(), small.Fold(weight));
        CollectionAssert.AreEqual(weight, small.Unfold(small.Fold(weight)));
    }

    [TestMethod]
    public void SplitConvKernelPutsInputChannelsThenTheSpatialModeThenOutputChannels()
    {
        var t = Tensorization.ForConvKernelSplit([2, 3], [2, 2], 3, 1); // C_out 6 = (s0,s1), C_in 4 = (c0,c1), 3×1 kernel
        Assert.AreEqual("(2)(2)|(3·1)(2)(3)", t.ToString());
        Assert.AreEqual(2, t.LeadingModeCount, "the spatial mode follows the input-channel modes");
        var kernel = Enumerable.Range(0, 6 * 4 * 3).Select(v => (float)v).ToArray();
        var tensor = t.Fold(kernel);
        for (int s0 = 0; s0 < 2; s0++)
        for (int s1 = 0; s1 < 3; s1++)
        for (int c0 = 0; c0 < 2; c0++)
        for (int c1 = 0; c1 < 2; c1++)
        for (int h = 0; h < 3; h++)
        {
            int outChannel = s0 * 3 + s1, inChannel = c0 * 2 + c1;
            int index = ((((c0 * 2 + c1) * 3 + h) * 2 + s0) * 3) + s1; // modes (c0)(c1)(kh·kw)(s0)(s1)
            Assert.AreEqual(kernel[(outChannel * 4 + inChannel) * 3 + h], tensor[index]);
        }
        CollectionAssert.AreEqual(kernel, t.Unfold(tensor));
        Assert.AreEqual("(8)(8)|(3·3)(8)(8)", Tensorization.ForConvKernelSplit(64, 64, 3, 3).ToString());
    }

    [TestMethod]
    public void SplitLayoutsKeepOneModePerSideForUnitSizes()
    {
        Assert.AreEqual("(1)|(7)", Tensorization.ForMatrixSplit(1, 7).ToString());
        Assert.AreEqual("(3)|(1·1)(1)", Tensorization.ForConvKernelSplit([1, 1], [3], 1, 1).ToString());
        Assert.AreEqual("rowFactors", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Tensorization.ForMatrixSplit([0], [2])).ParamName);
    }
}

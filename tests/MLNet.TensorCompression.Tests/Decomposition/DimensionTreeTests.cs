using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Tests.Decomposition;

[TestClass]
public sealed class DimensionTreeTests
{
    [TestMethod]
    public void BalancedAndCaterpillarShapes()
    {
        Assert.AreEqual("(0,1)", DimensionTree.Balanced(2).ToString());
        Assert.AreEqual("((0,1),(2,3))", DimensionTree.Balanced(4).ToString());
        Assert.AreEqual("(((0,1),2),(3,4))", DimensionTree.Balanced(5).ToString());
        Assert.AreEqual("(((0,1),2),3)", DimensionTree.Caterpillar(4).ToString());
    }

    [TestMethod]
    public void NodesAreNumberedInPreOrderWithDepths()
    {
        var tree = DimensionTree.Balanced(4);
        Assert.HasCount(7, tree.Nodes);
        Assert.AreSame(tree.Root, tree.Nodes[0]);
        for (int i = 0; i < tree.Nodes.Count; i++) Assert.AreEqual(i, tree.Nodes[i].Id);
        Assert.AreEqual(new[] { 0, 1, 2, 2, 1, 2, 2 }.Aggregate("", (s, d) => s + d), string.Concat(tree.Nodes.Select(n => n.Depth)));
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, tree.Leaves.Select(l => l.FirstMode).ToArray());
    }

    [TestMethod]
    public void ParseRoundTripsAndRejectsBadTrees()
    {
        foreach (var text in new[] { "(0,1)", "((0,1),(2,3))", "(0,(1,(2,3)))", "((0,(1,2)),3)" })
            Assert.AreEqual(text, DimensionTree.Parse(text).ToString());
        Assert.AreEqual("((0,1),2)", DimensionTree.Parse(" ( (0, 1), 2 ) ").ToString());

        Assert.Contains("out of order", Assert.ThrowsExactly<FormatException>(() => DimensionTree.Parse("(1,0)")).Message);
        Assert.Contains("exactly two children", Assert.ThrowsExactly<FormatException>(() => DimensionTree.Parse("(0,1,2)")).Message);
        Assert.ThrowsExactly<FormatException>(() => DimensionTree.Parse("(0,"));
        Assert.ThrowsExactly<FormatException>(() => DimensionTree.Parse("(0,1))"));
        Assert.ThrowsExactly<FormatException>(() => DimensionTree.Parse("(a,1)"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DimensionTree.Parse("0"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => DimensionTree.Balanced(1));
    }
}

namespace MLNet.TensorCompression.Tests.Compression;

/// <summary>The <c>--layer</c> form: its format names are the command line's one table, and bad text is quoted back.</summary>
[TestClass]
public sealed class LayerOverrideTests
{
    [TestMethod]
    public void EveryFormatNameOfTheTableParsesInAnyCase()
    {
        Assert.HasCount(Enum.GetValues<LayerFormat>().Length, OptionNames.Formats, "every format has a name");
        foreach (var (name, format) in OptionNames.Formats)
        {
            Assert.AreEqual(new LayerOverride("/fc1/*", format), LayerOverride.Parse($"/fc1/*={name}"));
            Assert.AreEqual(new LayerOverride("a=b", format, 5), LayerOverride.Parse($"a=b={name.ToUpperInvariant()}:5"), "the last '=' splits");
        }
    }

    [TestMethod]
    [DataRow("fc1=svd", "Layer override 'fc1=svd': format 'svd' is not tt, ht or dense.")]
    [DataRow("fc1", "Layer override 'fc1' must look like NAME=tt|ht|dense[:RANK].")]
    [DataRow("fc1=tt:4:2", "Layer override 'fc1=tt:4:2' must look like NAME=tt|ht|dense[:RANK].")]
    [DataRow("fc1=ht:0", "Layer override 'fc1=ht:0': rank '0' is not a whole number ≥ 1.")]
    public void BadTextIsQuotedWithTheNamesItCouldHaveUsed(string text, string message) =>
        Assert.AreEqual(message, Assert.ThrowsExactly<FormatException>(() => LayerOverride.Parse(text)).Message);
}

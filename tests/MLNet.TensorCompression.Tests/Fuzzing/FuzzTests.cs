namespace MLNet.TensorCompression.Tests.Fuzzing;

/// <summary>
/// Mutated LeNet-5 models through the reader, the layer finder and the compressor: every case must succeed or fail
/// with a documented exception. Seeded, so a failure names a seed that reproduces it. The benchmark project runs the
/// same cases in the thousands over LeNet-5 and VGG (--fuzz N).
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public void MutatedLeNetEndsInSuccessOrADocumentedException()
    {
        var bytes = File.ReadAllBytes(TestModels.Path("lenet5-fashion.onnx"));
        var summary = FuzzCase.RunMany(bytes, firstSeed: 1, count: 300, TimeLimit);
        Console.WriteLine(summary.Format());
        Assert.IsEmpty(summary.Findings, summary.Format());
        Assert.IsTrue(summary.Counts.GetValueOrDefault("success") > 0, "no mutated case succeeded: " + summary.Format());
    }
}

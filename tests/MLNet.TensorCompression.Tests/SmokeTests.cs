namespace MLNet.TensorCompression.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void OnnxRuntimeNativeLibraryLoads()
    {
        var version = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();
        Assert.AreEqual("1.31.1", version);
    }
}

using System.Xml.Linq;

namespace MLNet.TensorCompression.Tests;

[TestClass]
public sealed class SmokeTests
{
    /// <summary>The native ONNX Runtime that loads is the one Directory.Packages.props pins (Microsoft.ML.OnnxRuntime).</summary>
    [TestMethod]
    public void OnnxRuntimeNativeLibraryLoads()
    {
        var pinned = XDocument.Load(Path.Combine(TestModels.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == "Microsoft.ML.OnnxRuntime")
            .Attribute("Version")!.Value;
        var version = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString();
        Assert.AreEqual(pinned, version);
    }
}

using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Packaging;

/// <summary>
/// The fine-tuning package MLNet.TensorCompression.TorchSharp: it depends on the core package and on TorchSharp's managed
/// binding only — the app picks libtorch's native runtime — and carries no native binary (in particular no patched one).
/// </summary>
[TestClass]
public sealed class TorchSharpPackageTests
{
    private const string PackageId = "MLNet.TensorCompression.TorchSharp";

    [TestMethod]
    public void PackageDependsOnTorchSharpButNoNativeRuntimeAndShipsNoNativeCode()
    {
        using var directory = new TemporaryDirectory();
        var packagePath = DotnetCli.Pack(
            DotnetCli.Project("src/MLNet.TensorCompression.TorchSharp/MLNet.TensorCompression.TorchSharp.csproj"), PackageId,
            directory.File("packages"), directory.File("scratch"));

        var package = new NuGetPackage(packagePath);
        Assert.AreEqual(PackageId, package.Metadata("id"));
        Assert.AreEqual(DotnetCli.PackageVersion, package.Metadata("version"));
        var dependencies = package.DependencyIds();
        CollectionAssert.IsSubsetOf(new[] { "MLNet.TensorCompression", "TorchSharp" }, dependencies, string.Join(", ", dependencies));
        Assert.IsFalse(dependencies.Any(d => d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || d == "TorchSharp-cpu"),
            $"the native runtime is the app's choice: {string.Join(", ", dependencies)}");

        var lib = $"lib/{DotnetCli.TargetFramework}/";
        CollectionAssert.IsSubsetOf(new[] { lib + "MLNet.TensorCompression.TorchSharp.dll", lib + "MLNet.TensorCompression.TorchSharp.xml", "README.md" }, package.Entries);
        Assert.IsFalse(package.Entries.Any(e => e.EndsWith(".so", StringComparison.Ordinal) || e.EndsWith(".dll", StringComparison.Ordinal) && !e.StartsWith(lib, StringComparison.Ordinal)),
            string.Join(", ", package.Entries));
        Assert.IsFalse(package.Entries.Any(e => e.StartsWith("build", StringComparison.Ordinal)), "no build logic (such as the repository's libstdc++ workaround) ships");
    }
}

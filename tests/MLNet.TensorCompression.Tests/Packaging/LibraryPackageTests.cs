using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Packaging;

/// <summary>The library package MLNet.TensorCompression as dotnet pack writes it: dependencies, docs, README, icon, symbols.</summary>
[TestClass]
public sealed class LibraryPackageTests
{
    private const string PackageId = "MLNet.TensorCompression";

    [TestMethod]
    public void LibraryPackageDeclaresItsRuntimeDependenciesAndCarriesDocsReadmeAndIcon()
    {
        using var directory = new TemporaryDirectory();
        var packages = directory.File("packages");
        var packagePath = DotnetCli.Pack(
            DotnetCli.Project("src/MLNet.TensorCompression/MLNet.TensorCompression.csproj"), PackageId, packages, directory.File("scratch"));

        var package = new NuGetPackage(packagePath);
        Assert.AreEqual(PackageId, package.Metadata("id"));
        Assert.AreEqual(DotnetCli.PackageVersion, package.Metadata("version"));
        Assert.AreEqual("MIT", package.Metadata("license"));
        Assert.AreEqual("README.md", package.Metadata("readme"));
        Assert.AreEqual("icon.png", package.Metadata("icon"));
        var dependencies = package.DependencyIds();
        CollectionAssert.IsSubsetOf(
            new[] { "Microsoft.ML", "Microsoft.ML.OnnxTransformer", "Microsoft.ML.OnnxRuntime", "MathNet.Numerics", "Google.Protobuf" },
            dependencies, string.Join(", ", dependencies));
        // Grpc.Tools only compiles the ONNX .proto at build time (PrivateAssets="all").
        Assert.DoesNotContain("Grpc.Tools", dependencies);
        Assert.DoesNotContain("Grpc.Tools", package.NuspecText);

        var lib = $"lib/{DotnetCli.TargetFramework}/";
        CollectionAssert.IsSubsetOf(
            new[] { lib + "MLNet.TensorCompression.dll", lib + "MLNet.TensorCompression.xml", "README.md", "icon.png" },
            package.Entries);
        Assert.IsTrue(File.Exists(Path.ChangeExtension(packagePath, ".snupkg")), "no symbol package");
    }
}

using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Packaging;

/// <summary>
/// The .NET tool package MLNet.TensorCompression.Tool, as a user gets it: packed by dotnet pack, installed by
/// dotnet tool install into a tool path from a folder source, and run as mlnet-compress on a sample model.
/// </summary>
[TestClass]
public sealed class ToolPackageTests
{
    private const string PackageId = "MLNet.TensorCompression.Tool";

    [TestMethod]
    public void ToolPackageInstallsIntoAToolPathAndRunsOnASampleModel()
    {
        using var directory = new TemporaryDirectory();
        var packages = directory.File("packages");
        var packagePath = DotnetCli.Pack(
            DotnetCli.Project("src/MLNet.TensorCompression.Cli/MLNet.TensorCompression.Cli.csproj"), PackageId, packages, directory.File("scratch"));

        var package = new NuGetPackage(packagePath);
        Assert.Contains("<packageType name=\"DotnetTool\"", package.NuspecText);
        CollectionAssert.AreEqual(new[] { "DotnetTool" }, package.PackageTypes());
        // A tool package bundles the library and its dependencies: it declares none, so it installs from this folder alone.
        Assert.IsEmpty(package.DependencyIds(), string.Join(", ", package.DependencyIds()));
        Assert.DoesNotContain("Grpc.Tools", package.NuspecText);
        var tool = $"tools/{DotnetCli.TargetFramework}/any/";
        CollectionAssert.IsSubsetOf(
            new[] { tool + "DotnetToolSettings.xml", tool + "mlnet-compress.dll", tool + "MLNet.TensorCompression.dll", tool + "Google.Protobuf.dll", "README.md", "icon.png" },
            package.Entries);
        Assert.IsFalse(package.Entries.Any(e => e.StartsWith(tool + "runtimes/ios/", StringComparison.Ordinal) || e.StartsWith(tool + "runtimes/android/", StringComparison.Ordinal)),
            "ONNX Runtime's mobile archives belong in no desktop tool package.");
        Assert.IsTrue(package.Entries.Any(e => e.StartsWith(tool + "runtimes/linux-x64/native/libonnxruntime", StringComparison.Ordinal)));

        // --source (not --add-source): the folder is the only source, so no network is needed and no package of the
        // same id elsewhere can be picked instead of this one.
        var tools = directory.File("tools");
        var install = DotnetCli.Run(
            ["tool", "install", PackageId, "--version", DotnetCli.PackageVersion, "--tool-path", tools, "--source", packages],
            TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, install.ExitCode, $"{install.Stdout}\n{install.Stderr}");

        var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "mlnet-compress.exe" : "mlnet-compress");
        var model = TestModels.Path("lenet5-fashion.onnx");
        var inspect = DotnetCli.RunProcess(command, ["inspect", model], TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, inspect.ExitCode, inspect.Stderr);
        Assert.Contains("/fc1/Gemm", inspect.Stdout);

        var small = directory.File("small.onnx");
        var compress = DotnetCli.RunProcess(command, ["compress", model, "-o", small, "--max-rank", "8", "--quiet"], TimeSpan.FromMinutes(2));
        Assert.AreEqual(0, compress.ExitCode, compress.Stderr);
        Assert.IsTrue(File.Exists(small), compress.Stdout);
        Assert.IsLessThan(new FileInfo(model).Length, new FileInfo(small).Length);
    }
}

using System.Diagnostics;
using System.Reflection;
using System.Runtime.Versioning;
using System.Xml.Linq;

namespace MLNet.TensorCompression.Tests.Packaging;

/// <summary>
/// Runs the dotnet CLI (the "dotnet" on PATH; <see cref="Environment.ProcessPath"/> is the test host) and packs this
/// repository's projects into temporary directories, the way nuget/pack.sh does.
/// </summary>
internal static class DotnetCli
{
#if DEBUG
    /// <summary>The configuration the tests were built in; the packs use the same one.</summary>
    public const string Configuration = "Debug";
#else
    /// <summary>The configuration the tests were built in; the packs use the same one.</summary>
    public const string Configuration = "Release";
#endif

    /// <summary>The target framework this test assembly (like the packed projects) was built for, e.g. "net10.0".</summary>
    /// <remarks>Read from this assembly: AppContext.TargetFrameworkName is the test host's, which may be older.</remarks>
    public static string TargetFramework { get; } =
        "net" + new FrameworkName(typeof(DotnetCli).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName
            ?? throw new InvalidOperationException("The test assembly names no target framework.")).Version.ToString(2);

    /// <summary>The packages' version: VersionPrefix in nuget/Package.props.</summary>
    public static string PackageVersion { get; } =
        XDocument.Load(Path.Combine(TestModels.RepositoryRoot, "nuget", "Package.props"))
            .Descendants("VersionPrefix").Single().Value.Trim();

    /// <summary>Full path of a project file, e.g. "src/MLNet.TensorCompression.Cli/MLNet.TensorCompression.Cli.csproj".</summary>
    public static string Project(string relativePath) => Path.Combine(TestModels.RepositoryRoot, relativePath);

    /// <summary>
    /// Packs <paramref name="projectFile"/> into <paramref name="outputDirectory"/> and returns the .nupkg's path
    /// (<paramref name="packageId"/>.<see cref="PackageVersion"/>.nupkg). The intermediate nuspec and the tool's publish
    /// layout go under <paramref name="scratchDirectory"/>, not into the project's obj/ and bin/, so a concurrent
    /// nuget/pack.sh or a stale publish directory cannot mix into this package.
    /// </summary>
    public static string Pack(string projectFile, string packageId, string outputDirectory, string scratchDirectory)
    {
        // --no-build packs the build these tests run on: the test project references both packed projects, so their
        // outputs for this configuration exist and are current once the tests are built. Building again from inside a
        // running `dotnet test` would rewrite obj/ and bin/ files that the solution build (or another developer's build)
        // may be using, and would double the time. Only when the outputs are missing (the test assembly run from a
        // copy, or a different output layout) does the pack build, and then without node reuse or the compiler server,
        // so no long-lived process keeps this process's output pipes open.
        var builtAssembly = Path.Combine(Path.GetDirectoryName(projectFile)!, "bin", Configuration, TargetFramework,
            AssemblyNameOf(projectFile) + ".dll");
        List<string> arguments =
        [
            "pack", projectFile, "-c", Configuration, "-o", outputDirectory,
            $"-p:NuspecOutputPath={Path.Combine(scratchDirectory, "nuspec")}/",
            $"-p:PublishDir={Path.Combine(scratchDirectory, "publish")}/",
            "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ];
        if (File.Exists(builtAssembly))
        {
            arguments.Add("--no-build");
        }

        var (code, stdout, stderr) = Run(arguments, TimeSpan.FromMinutes(5));
        RemovePublishRecords(projectFile, Path.Combine(scratchDirectory, "publish"));
        Assert.AreEqual(0, code, $"dotnet pack {projectFile} failed:\n{stdout}\n{stderr}");
        var package = Path.Combine(outputDirectory, $"{packageId}.{PackageVersion}.nupkg");
        Assert.IsTrue(File.Exists(package), $"dotnet pack wrote no {package}:\n{stdout}");
        return package;
    }

    /// <summary>Runs "dotnet <paramref name="arguments"/>" and returns its exit code and output.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, TimeSpan timeout) =>
        RunProcess(DotnetExecutable, arguments, timeout);

    /// <summary>
    /// Runs <paramref name="executable"/> with the dotnet CLI's environment: no telemetry or banners, no MSBuild
    /// settings inherited from the `dotnet test` that started this process, and DOTNET_ROOT naming the dotnet on PATH
    /// (an installed tool's launcher finds the runtime through it).
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) RunProcess(string executable, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestModels.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var inherited in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(inherited);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (DotnetRoot is { } root)
        {
            info.Environment["DOTNET_ROOT"] = root;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var command = $"{executable} {string.Join(' ', info.ArgumentList)}";
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"'{command}' did not finish within {timeout.TotalSeconds:F0} s.");
        }

        process.WaitForExit();
        Assert.IsTrue(Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(30)), $"'{command}' exited but its output stayed open.");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string DotnetExecutable { get; } = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    /// <summary>DOTNET_ROOT if set, else the directory of the dotnet on PATH (symbolic links followed); null if none.</summary>
    private static string? DotnetRoot { get; } = FindDotnetRoot();

    private static string? FindDotnetRoot()
    {
        var configured = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = new FileInfo(Path.Combine(directory, DotnetExecutable));
            if (candidate.Exists)
            {
                return Path.GetDirectoryName(candidate.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate.FullName);
            }
        }

        return null;
    }

    /// <summary>
    /// Deletes the project's obj/…/PublishOutputs.*.txt files that list files under <paramref name="publishDirectory"/>.
    /// The SDK keeps one such record per publish directory, named after a hash of its path, so every pack into a new
    /// temporary directory would leave one more behind. (Setting PublishCleanFile does not help: the SDK then writes
    /// to the directory path itself and fails.)
    /// </summary>
    private static void RemovePublishRecords(string projectFile, string publishDirectory)
    {
        var intermediate = Path.Combine(Path.GetDirectoryName(projectFile)!, "obj", Configuration, TargetFramework);
        if (!Directory.Exists(intermediate))
        {
            return;
        }

        foreach (var record in Directory.GetFiles(intermediate, "PublishOutputs.*.txt"))
        {
            if (File.ReadLines(record).FirstOrDefault() is { } first && first.StartsWith(publishDirectory, StringComparison.Ordinal))
            {
                File.Delete(record);
            }
        }
    }

    /// <summary>The project's AssemblyName if it sets one, else its file name.</summary>
    private static string AssemblyNameOf(string projectFile) =>
        XDocument.Load(projectFile).Descendants("AssemblyName").FirstOrDefault()?.Value.Trim()
        ?? Path.GetFileNameWithoutExtension(projectFile);
}

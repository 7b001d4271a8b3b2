using MLNet.TensorCompression.Tests.Fuzzing;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The fuzz harness of the test project (Fuzzing/ModelMutator.cs and FuzzCase.cs, linked into this project) at scale:
/// <c>cases</c> mutated models of each sample, LeNet-5 and VGG, with counts per outcome and every finding.
/// </summary>
internal static class FuzzRun
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="cases"/> cases per sample model found under samples/models; returns the number of findings.</summary>
    public static int Report(int cases, TextWriter output)
    {
        var directory = Path.Combine(RepositoryRoot(), "samples", "models");
        var findings = 0;
        foreach (var name in new[] { "lenet5-fashion.onnx", "vgg-fashion.onnx" })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path))
            {
                output.WriteLine($"{name}: not found under {directory}, skipped");
                continue;
            }

            output.WriteLine($"{name}, seeds 1..{cases}:");
            var summary = FuzzCase.RunMany(File.ReadAllBytes(path), firstSeed: 1, cases, TimeLimit);
            output.WriteLine(summary.Format());
            findings += summary.Findings.Count;
        }

        output.WriteLine(findings == 0 ? "no findings" : $"{findings} findings");
        return findings;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MLNet.TensorCompression.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

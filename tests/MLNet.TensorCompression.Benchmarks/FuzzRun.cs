using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Fuzzing;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The fuzz harness of the test project (Fuzzing/ModelMutator.cs and FuzzCase.cs, linked into this project) at scale:
/// <c>cases</c> mutated models of each sample (LeNet-5, VGG, and LeNet-5 with its weights in Constant nodes), with
/// counts per outcome and every finding.
/// </summary>
internal static class FuzzRun
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="cases"/> cases per model (the samples under samples/models); returns the number of findings.</summary>
    public static int Report(int cases, TextWriter output)
    {
        var directory = Path.Combine(RepositoryRoot(), "samples", "models");
        var findings = 0;
        foreach (var (name, bytes) in Models(directory))
        {
            output.WriteLine($"{name}, seeds 1..{cases}:");
            var summary = FuzzCase.RunMany(bytes, firstSeed: 1, cases, TimeLimit);
            output.WriteLine(summary.Format());
            findings += summary.Findings.Count;
        }

        output.WriteLine(findings == 0 ? "no findings" : $"{findings} findings");
        return findings;
    }

    /// <summary>Both samples, and LeNet with its weights in Constant nodes instead of initializers (as paddle2onnx writes them).</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Models(string directory)
    {
        var lenet = Path.Combine(directory, "lenet5-fashion.onnx");
        yield return ("lenet5-fashion.onnx", File.ReadAllBytes(lenet));
        yield return ("vgg-fashion.onnx", File.ReadAllBytes(Path.Combine(directory, "vgg-fashion.onnx")));
        yield return ("lenet5-fashion.onnx, weights in Constant nodes", WeightsInConstantNodes(OnnxModel.Load(lenet)).ToBytes());
    }

    private static OnnxModel WeightsInConstantNodes(OnnxModel model)
    {
        var graph = model.Graph;
        var constants = graph.Initializer.Select(tensor => new NodeProto
        {
            Name = $"constant_{tensor.Name}",
            OpType = "Constant",
            Output = { tensor.Name },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor } },
        }).ToArray();
        graph.Initializer.Clear();
        for (int i = constants.Length - 1; i >= 0; i--) graph.Node.Insert(0, constants[i]);
        return model;
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

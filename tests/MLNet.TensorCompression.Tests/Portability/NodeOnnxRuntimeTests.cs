using System.Diagnostics;
using System.Text.Json;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Portability;

/// <summary>
/// The compressed models run in a second ONNX Runtime outside .NET — onnxruntime-node, which .ci/run installs into
/// tests/portability — and give the same logits as ONNX Runtime in .NET.
/// </summary>
[TestClass]
public sealed class NodeOnnxRuntimeTests
{
    private static readonly string PortabilityDirectory = Path.Combine(TestModels.RepositoryRoot, "tests", "portability");

    [TestMethod]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Factorized, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Reconstructed, false)]
    [DataRow("lenet5-fashion.onnx", LayerExecutionMode.Factorized, true)]
    [DataRow("vgg-fashion.onnx", LayerExecutionMode.Factorized, false)]
    public void CompressedModelGivesTheSameLogitsInOnnxRuntimeForNode(string sample, LayerExecutionMode mode, bool inline)
    {
        if (!File.Exists(Path.Combine(PortabilityDirectory, "node_modules", "onnxruntime-node", "package.json")))
            Assert.Inconclusive($"onnxruntime-node is not installed in {PortabilityDirectory}; .ci/run installs it with npm.");

        var options = new CompressionOptions { MaxRank = 8, MinimumLayerParameters = 1000, ExecutionMode = mode, Inline = inline };
        var compressed = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(sample)), options).Model;
        using var directory = new TemporaryDirectory();
        var modelPath = directory.File("model.onnx");
        compressed.Save(modelPath);
        var input = Enumerable.Range(0, 3 * 784).Select(i => (i % 97) / 97f).ToArray();
        var inputPath = directory.File("input.json");
        File.WriteAllText(inputPath, JsonSerializer.Serialize(new { name = "input", shape = new[] { 3, 1, 28, 28 }, data = input }));

        var fromNode = JsonSerializer.Deserialize<float[]>(RunNode(modelPath, inputPath))!;
        var fromDotnet = OrtScoring.Run(modelPath, input, [3, 1, 28, 28]);
        Assert.IsLessThan(1e-5, OnnxModelCompressorTests.RelativeDistance(fromDotnet, fromNode), $"{sample} {mode} inline={inline}");
    }

    private static string RunNode(string modelPath, string inputPath)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = PortabilityDirectory };
        foreach (var argument in new[] { "score.js", modelPath, inputPath }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(60_000), "node did not finish within 60 s");
        Assert.AreEqual(0, process.ExitCode, $"node failed: {error.Result}");
        return output.Result;
    }
}

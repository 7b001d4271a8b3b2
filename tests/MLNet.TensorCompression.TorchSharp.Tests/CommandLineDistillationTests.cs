using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Samples;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// <c>mlnet-compress compress --calibration … --distill N</c> where MLNet.TensorCompression.TorchSharp and libtorch are
/// present (as in the tool package MLNet.TensorCompression.Tool.Distillation): the tool finds the assembly and distils.
/// </summary>
[TestClass]
public sealed class CommandLineDistillationTests
{
    [TestMethod]
    public void DistillAfterTheReFitRunsAndKeepsTheLeNetSampleAtTenX()
    {
        var directory = Directory.CreateTempSubdirectory("cli-distill-");
        try
        {
            string refitted = Path.Combine(directory.FullName, "refit.onnx"), distilled = Path.Combine(directory.FullName, "distilled.onnx");
            string[] common = ["compress", TestModels.Path("lenet5-fashion.onnx"), "--target-ratio", "10", "--calibration", SampleData.Path("fashion-train-2000-images.idx3-ubyte"), "--rows", "1000", "--quiet"];
            var (code, _, stderr) = Run([.. common, "-o", refitted]);
            Assert.AreEqual(0, code, stderr);
            var (distillCode, stdout, distillError) = Run([.. common, "-o", distilled, "--distill", "1", "--json"]);
            Assert.AreEqual(0, distillCode, distillError);
            Assert.Contains("knowledge distillation from the original model", CompressionReport.FromJson(stdout).FineTuning!);

            // Measured: 0.809 re-fitted (dense layers re-fitted too), 0.8075 distilled for one epoch on the same 1,000
            // rows: the layer-wise fit leaves one epoch on so few rows nothing to add (before the dense re-fit: 0.7475 →
            // 0.781). Distillation keeps its best iterate on its held-back rows, so it must not lose what the re-fit
            // reached beyond what choosing on ~100 rows can miss on 2,000 others (once 0.809 → 0.7965 in a full run).
            double before = TestAccuracy(refitted), after = TestAccuracy(distilled);
            Assert.IsGreaterThan(0.78, before, $"re-fitted {before}");
            Assert.IsGreaterThan(before - 0.02, after, $"re-fitted {before}, distilled {after}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void DistillLossReachesTheDistillationAndBadValuesAreNamed()
    {
        var directory = Directory.CreateTempSubdirectory("cli-distill-loss-");
        try
        {
            string output = Path.Combine(directory.FullName, "out.onnx");
            string[] common = ["compress", TestModels.Path("lenet5-fashion.onnx"), "--max-rank", "8", "-o", output, "--quiet"];
            string[] data = ["--calibration", SampleData.Path("fashion-train-2000-images.idx3-ubyte"), "--rows", "200"];
            var (code, stdout, stderr) = Run([.. common, .. data, "--distill", "0.5", "--distill-loss", "cosine", "--json"]);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(CompressionReport.FromJson(stdout).FineTuning!, "1 − cosine");
            File.Delete(output);

            (code, _, stderr) = Run([.. common, .. data, "--distill", "1", "--distill-loss", "softmax"]);
            Assert.AreEqual(2, code);
            StringAssert.Contains(stderr, "--distill-loss must be one of auto, kl, position-kl, mse, cosine; got 'softmax'");

            (code, _, stderr) = Run([.. common, .. data, "--distill-loss", "mse"]);
            Assert.AreEqual(2, code);
            StringAssert.Contains(stderr, "give --distill EPOCHS too");
            Assert.IsFalse(File.Exists(output), "a refused command writes nothing");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static double TestAccuracy(string model)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(SampleData.Path("fashion-test-2000-labels.idx1-ubyte"));
        return ClassifierAccuracy.Measure(OnnxModel.Load(model), new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }

    private static (int Code, string Stdout, string Stderr) Run(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CommandLineTool.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

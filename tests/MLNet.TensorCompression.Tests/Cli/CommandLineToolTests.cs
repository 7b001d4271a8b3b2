using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Tests.Onnx;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;
namespace MLNet.TensorCompression.Tests.Cli;

[TestClass]
public sealed class CommandLineToolTests
{
    [TestMethod]
    public void CompressWritesAModelOnnxRuntimeScoresAndAReport()
    {
        using var directory = new TemporaryDirectory();
        var output = directory.File("vgg-small.onnx");
        var report = directory.File("report.json");

        var (code, stdout, stderr) = Run("compress", TestModels.Path("vgg-fashion.onnx"), "-o", output, "--max-rank", "16", "--report", report, "--quiet");

        Assert.AreEqual(0, code, stderr);
        Assert.Contains("/classifier/classifier.0/Gemm", stdout);
        Assert.Contains("Model: 3,719,818 →", stdout);
        var parsed = CompressionReport.FromJson(File.ReadAllText(report));
        Assert.IsGreaterThan(50.0, parsed.CompressionRatio);
        var logits = OrtScoring.Run(output, new float[2 * 784], [2, 1, 28, 28]);
        Assert.HasCount(20, logits);
        Assert.IsTrue(logits.All(float.IsFinite));
    }

    [TestMethod]
    public void InspectListsLayersAndTheDefaultPlan()
    {
        var (code, stdout, _) = Run("inspect", TestModels.Path("lenet5-fashion.onnx"));
        Assert.AreEqual(0, code);
        Assert.Contains("/fc1/Gemm", stdout);
        Assert.Contains("HierarchicalTucker", stdout);
        Assert.Contains("dense: input convolution", stdout);
        Assert.Contains("5 compressible layer(s), 0 not; 61,706 parameters", stdout);
    }

    [TestMethod]
    [DataRow("compress")]
    [DataRow("compress", "a.onnx")]
    [DataRow("compress", "a.onnx", "-o", "b.onnx", "--policy", "cp")]
    [DataRow("compress", "a.onnx", "-o", "b.onnx", "--max-rank", "0")]
    [DataRow("compress", "a.onnx", "-o", "b.onnx", "--layer", "fc1=svd")]
    [DataRow("compress", "a.onnx", "-o", "b.onnx", "--report", "r.txt")]
    [DataRow("compress", "a.onnx", "-o", "b.onnx", "--bogus", "1")]
    [DataRow("frobnicate")]
    public void BadArgumentsExitWithTwo(params string[] args)
    {
        var (code, _, stderr) = Run(args);
        Assert.AreEqual(2, code);
        Assert.StartsWith("mlnet-compress: ", stderr);
    }

    [TestMethod]
    public void FailuresExitWithOneAndAOneLineReason()
    {
        using var directory = new TemporaryDirectory();
        var garbage = directory.File("garbage.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6]);

        var (code, _, stderr) = Run("compress", garbage, "-o", directory.File("out.onnx"));

        Assert.AreEqual(1, code);
        Assert.Contains("garbage.onnx", stderr);
        Assert.AreEqual(1, stderr.Trim().Split('\n').Length, "one line");
        Assert.AreEqual(1, Run("inspect", directory.File("missing.onnx")).Code);
    }

    [TestMethod]
    public void EvaluateReadsGzippedIdxFilesUnderMnistsOwnNames()
    {
        using var directory = new TemporaryDirectory();
        foreach (var (committed, mnistName) in new[] { ("fashion-test-2000-images.idx3-ubyte", "t10k-images-idx3-ubyte.gz"), ("fashion-test-2000-labels.idx1-ubyte", "t10k-labels-idx1-ubyte.gz") })
        {
            using var input = File.OpenRead(Samples.SampleData.Path(committed));
            using var gzip = new System.IO.Compression.GZipStream(File.Create(directory.File(mnistName)), System.IO.Compression.CompressionLevel.Fastest);
            input.CopyTo(gzip);
        }

        var (code, stdout, stderr) = Run("evaluate", TestModels.Path("lenet5-fashion.onnx"), "--data", directory.File("t10k-images-idx3-ubyte.gz"), "--json");

        Assert.AreEqual(0, code, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.AreEqual(0.917, json.RootElement.GetProperty("accuracy").GetDouble(), 0.002);
    }

    [TestMethod]
    public void EvaluateReportsTheSampleAccuracyFromIdxAndCsv()
    {
        var images = Samples.SampleData.Path("fashion-test-2000-images.idx3-ubyte");
        var (code, stdout, stderr) = Run("evaluate", TestModels.Path("lenet5-fashion.onnx"), "--data", images, "--json");
        Assert.AreEqual(0, code, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.AreEqual(0.917, json.RootElement.GetProperty("accuracy").GetDouble(), 0.002);
        Assert.AreEqual(2000, json.RootElement.GetProperty("samples").GetInt32());

        using var directory = new TemporaryDirectory();
        var csv = directory.File("few.csv");
        var (pixels, _, _, _) = IdxFile.ReadImages(images);
        var labels = IdxFile.ReadLabels(Samples.SampleData.Path("fashion-test-2000-labels.idx1-ubyte"));
        File.WriteAllLines(csv, new[] { "label,pixels" }.Concat(Enumerable.Range(0, 50).Select(i =>
            labels[i] + "," + string.Join(",", pixels.AsSpan(i * 784, 784).ToArray().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))))));
        var fromCsv = Run("evaluate", TestModels.Path("lenet5-fashion.onnx"), "--data", csv);
        Assert.AreEqual(0, fromCsv.Code, fromCsv.Stderr);
        Assert.Contains("on 50 samples", fromCsv.Stdout);

        File.WriteAllText(csv, "3,0.5,0.25\n");
        var bad = Run("evaluate", TestModels.Path("lenet5-fashion.onnx"), "--data", csv);
        Assert.AreEqual(1, bad.Code);
        Assert.Contains("line 1: 2 values after the label; the model input takes 784", bad.Stderr);
        Assert.AreEqual(2, Run("evaluate", TestModels.Path("lenet5-fashion.onnx")).Code, "--data is required");
    }

    [TestMethod]
    public void CompressJsonPrintsTheReportAlone()
    {
        using var directory = new TemporaryDirectory();
        var (code, stdout, stderr) = Run("compress", TestModels.Path("lenet5-fashion.onnx"), "-o", directory.File("small.onnx"), "--max-rank", "8", "--json", "--quiet");
        Assert.AreEqual(0, code, stderr);
        var report = CompressionReport.FromJson(stdout);
        Assert.AreEqual(61_706, report.ModelParametersBefore);
    }

    [TestMethod]
    public void SweepPrintsTheFrontierForEachPolicyAndRatio()
    {
        var data = Samples.SampleData.Path("fashion-test-2000-images.idx3-ubyte");
        var (code, stdout, stderr) = Run("sweep", TestModels.Path("lenet5-fashion.onnx"), "--data", data, "--policies", "hybrid,ht", "--ratios", "2,4", "--json", "--quiet");

        Assert.AreEqual(0, code, stderr);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var points = json.RootElement.GetProperty("points").EnumerateArray().ToArray();
        Assert.HasCount(4, points);
        foreach (var point in points)
            Assert.IsGreaterThanOrEqualTo(1.9, point.GetProperty("CompressionRatio").GetDouble());
        Assert.AreEqual(0.917, json.RootElement.GetProperty("originalAccuracy").GetDouble(), 0.002);

        using var directory = new TemporaryDirectory();
        var plot = directory.File("frontier.png");
        Assert.AreEqual(0, Run("sweep", TestModels.Path("lenet5-fashion.onnx"), "--data", data, "--policies", "tt", "--ratios", "2", "--plot", plot, "--quiet").Code);
        var png = File.ReadAllBytes(plot);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4], "a PNG file");
        Assert.IsGreaterThan(5_000, png.Length);
        Assert.AreEqual(2, Run("sweep", TestModels.Path("lenet5-fashion.onnx"), "--data", data, "--policies", "cp").Code);
        Assert.AreEqual(2, Run("sweep", TestModels.Path("lenet5-fashion.onnx"), "--data", data, "--ratios", "0.5").Code);
    }

    [TestMethod]
    public void CancelledCompressExitsWithOneAndWritesNothing()
    {
        using var directory = new TemporaryDirectory();
        var output = directory.File("small.onnx");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CommandLineTool.Run(["compress", TestModels.Path("lenet5-fashion.onnx"), "-o", output, "--quiet"], stdout, stderr, new CancellationToken(canceled: true));

        Assert.AreEqual(1, code);
        Assert.Contains("cancelled; no output was written", stderr.ToString());
        Assert.IsFalse(File.Exists(output));
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CommandLineTool.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

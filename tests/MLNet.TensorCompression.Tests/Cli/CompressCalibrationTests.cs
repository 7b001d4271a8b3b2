using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Exports;
using MLNet.TensorCompression.Tests.Finding;
using MLNet.TensorCompression.Tests.Onnx;
using MLNet.TensorCompression.Tests.Samples;
using SkiaSharp;

namespace MLNet.TensorCompression.Tests.Cli;

/// <summary><c>compress --calibration DATA</c>: every data form, the sample shape from the model, and bad data's errors and exit codes.</summary>
[TestClass]
public sealed class CompressCalibrationTests
{
    private static readonly string LeNet = TestModels.Path("lenet5-fashion.onnx");
    private static readonly string TrainImages = SampleData.Path("fashion-train-2000-images.idx3-ubyte");

    [TestMethod]
    public void CalibrationFromIdxOrNpyGivesAMoreAccurateModelThanWithout()
    {
        using var directory = new TemporaryDirectory();
        var free = Run("compress", LeNet, "-o", directory.File("free.onnx"), "--target-ratio", "5", "--quiet");
        var idx = Run("compress", LeNet, "-o", directory.File("idx.onnx"), "--target-ratio", "5", "--calibration", TrainImages, "--rows", "100", "--json");
        Assert.AreEqual(0, free.Code, free.Stderr);
        Assert.AreEqual(0, idx.Code, idx.Stderr);
        Assert.Contains("read 100 calibration samples [1,28,28] of 'input'", idx.Stderr);
        Assert.Contains("re-fitted /fc1/Gemm", idx.Stderr);
        Assert.Contains("layer-wise re-fit on 100 samples", CompressionReport.FromJson(idx.Stdout).Calibration!);

        // The same 100 images as a NumPy array [100, 784]: flat samples take the model's fixed [1,28,28].
        var (pixels, _, _, _) = IdxFile.ReadImages(TrainImages);
        var npy = directory.File("train.npy");
        NpyWriter.Write(npy, pixels[..(100 * 784)], [100, 784]);
        var fromNpy = Run("compress", LeNet, "-o", directory.File("npy.onnx"), "--target-ratio", "5", "--calibration", npy, "--quiet");
        Assert.AreEqual(0, fromNpy.Code, fromNpy.Stderr);

        double freeAccuracy = TestAccuracy(directory.File("free.onnx")), idxAccuracy = TestAccuracy(directory.File("idx.onnx"));
        // Measured (split layout, the default): 0.807 data-free, 0.8775 re-fitted on 100 rows (interleaved: 0.558, 0.829).
        Assert.IsGreaterThan(freeAccuracy + 0.04, idxAccuracy, $"data-free {freeAccuracy}, re-fitted {idxAccuracy}");
        Assert.AreEqual(idxAccuracy, TestAccuracy(directory.File("npy.onnx")), 1e-9, "the same samples fit the same model");
    }

    [TestMethod]
    public void AFolderOfPngsReadsAsTheIdxImagesDirectlyOrThroughAPreprocessingModel()
    {
        using var directory = new TemporaryDirectory();
        var folder = Directory.CreateDirectory(directory.File("images")).FullName;
        var (pixels, _, rows, columns) = IdxFile.ReadImages(TrainImages);
        for (int i = 0; i < 12; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(columns, rows, SKColorType.Gray8));
            var bytes = pixels.AsSpan(i * 784, 784).ToArray().Select(v => (byte)MathF.Round(v * 255)).ToArray();
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
            using var file = File.Create(Path.Combine(folder, $"{i:D2}.png"));
            Assert.IsTrue(bitmap.Encode(file, SKEncodedImageFormat.Png, 100));
        }
        var model = OnnxModel.Load(LeNet);
        var gray = new ImageOptions(null, null, ImageChannels.Gray, false, [0], [1]);
        var (direct, _) = CalibrationData.Read(model, new CalibrationRequest(folder, 10, null, gray, null));
        Assert.AreEqual(10, direct.Count);
        CollectionAssert.AreEqual(new long[] { 1, 28, 28 }, direct.SampleShape.ToArray());
        for (int i = 0; i < direct.Data.Length; i++) Assert.AreEqual(pixels[i], direct.Data[i], 1e-5f, $"value {i}");

        // A preprocessing model on the raw 0–255 pixels (here: scale by 1/255, with a fixed batch of 1).
        var preprocess = directory.File("pre.onnx");
        new TestGraph().Input("raw", 1, 1, 28, 28).Output("scaled").Initializer("scale", [1], [1 / 255f])
            .Node("Mul", "mul", ["raw", "scale"], ["scaled"]).Build().Save(preprocess);
        var (scaled, _) = CalibrationData.Read(model, new CalibrationRequest(folder, 10, null, gray, preprocess));
        for (int i = 0; i < scaled.Data.Length; i++) Assert.AreEqual(pixels[i], scaled.Data[i], 1e-5f, $"value {i}");

        var cli = Run("compress", LeNet, "-o", directory.File("small.onnx"), "--max-rank", "4", "--calibration", folder, "--channels", "gray", "--preprocess", preprocess, "--quiet");
        Assert.AreEqual(0, cli.Code, cli.Stderr);
        var wrongChannels = Run("compress", LeNet, "-o", directory.File("small.onnx"), "--max-rank", "4", "--calibration", folder, "--quiet");
        Assert.AreEqual(1, wrongChannels.Code);
        Assert.Contains("[3,28,28] each): samples are [3,28,28], but the model input 'input' is declared [", wrongChannels.Stderr);
    }

    [TestMethod]
    public void SymbolicSizesComeFromTheNpyArrayAndFixedOnesMustMatch()
    {
        using var directory = new TemporaryDirectory();
        var model = directory.File("dynamic.onnx");
        ExportModels.DynamicSpatial().Save(model);
        var npy = directory.File("x.npy");
        NpyWriter.Write(npy, TestGraph.Values(6 * 4 * 7 * 5, seed: 3), [6, 4, 7, 5]);
        var good = Run("compress", model, "-o", directory.File("out.onnx"), "--max-rank", "1", "--calibration", npy);
        Assert.AreEqual(0, good.Code, good.Stderr);
        Assert.Contains("read 6 calibration samples [4,7,5] of 'x'", good.Stderr);

        NpyWriter.Write(npy, TestGraph.Values(6 * 3 * 7 * 5, seed: 3), [6, 3, 7, 5]);
        var bad = Run("compress", model, "-o", directory.File("bad.onnx"), "--max-rank", "1", "--calibration", npy);
        Assert.AreEqual(1, bad.Code);
        Assert.Contains($"NumPy file '{npy}': samples are [3,7,5], but the model input 'x' is declared [N,4,H,W]: axis 1 is fixed at 4, the data has 3.", bad.Stderr);
        Assert.IsFalse(File.Exists(directory.File("bad.onnx")));
    }

    [TestMethod]
    public void BadDataExitsWithOneAndOneLineNamingTheFileAndTheSample()
    {
        using var directory = new TemporaryDirectory();
        var npy = directory.File("bad.npy");
        var values = new float[5 * 784];
        values[3 * 784 + 17] = float.NaN;
        NpyWriter.Write(npy, values, [5, 1, 28, 28]);
        AssertFails(npy, "sample 3, value 17 is NaN");

        NpyWriter.Write(npy, [], [0, 1, 28, 28]);
        AssertFails(npy, "holds no samples");
        NpyWriter.WriteRaw(npy, "<f2", [1, 784], new byte[2 * 784]);
        AssertFails(npy, "holds dtype '<f2'");
        NpyWriter.Write(npy, new float[784], [784]);
        AssertFails(npy, "calibration data is [N, …]");
        var csv = directory.File("bad.csv");
        File.WriteAllText(csv, "3," + string.Join(",", Enumerable.Repeat("0.5", 783)) + ",NaN\n");
        AssertFails(csv, "line 1, field 785: 'NaN' is not a finite number");

        void AssertFails(string data, string expected)
        {
            var (code, _, stderr) = Run("compress", LeNet, "-o", directory.File("out.onnx"), "--calibration", data, "--quiet");
            Assert.AreEqual(1, code, stderr);
            Assert.Contains(expected, stderr);
            Assert.Contains(Path.GetFileName(data), stderr);
            Assert.HasCount(1, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr);
            Assert.IsFalse(File.Exists(directory.File("out.onnx")), "never a silent data-free model");
        }
    }

    [TestMethod]
    [DataRow("--distill", "1", "--calibration", "DATA")]
    [DataRow("--distill", "1")]
    [DataRow("--image-size", "28x28")]
    [DataRow("--calibration", "DATA", "--mean", "0.5")]
    [DataRow("--calibration", "DATA", "--rows", "0")]
    [DataRow("--calibration", "missing.npy")]
    public void DataFlagsMisusedExitWithTwo(params string[] flags)
    {
        using var directory = new TemporaryDirectory();
        var args = new[] { "compress", LeNet, "-o", directory.File("out.onnx") }.Concat(flags.Select(f => f == "DATA" ? TrainImages : f)).ToArray();
        var (code, _, stderr) = Run(args);
        Assert.AreEqual(2, code, stderr);
        Assert.StartsWith("mlnet-compress: ", stderr);
        Assert.HasCount(1, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), stderr);
        if (flags[0] == "--distill" && flags.Length > 2)
            Assert.Contains("--distill needs libtorch, which this tool does not carry: install the tool package MLNet.TensorCompression.Tool.Distillation", stderr);
    }

    private static double TestAccuracy(string model)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(SampleData.Path("fashion-test-2000-labels.idx1-ubyte"));
        return ClassifierAccuracy.Measure(OnnxModel.Load(model), new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CommandLineTool.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

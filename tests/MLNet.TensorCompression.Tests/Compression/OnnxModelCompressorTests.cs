using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Compression;

/// <summary>End to end on the trained sample models: compress, score in ONNX Runtime, compare.</summary>
[TestClass]
public sealed class OnnxModelCompressorTests
{
    private const string LeNet = "lenet5-fashion.onnx";
    private const string Vgg = "vgg-fashion.onnx";

    [TestMethod]
    [DataRow(LeNet, LayerExecutionMode.Factorized)]
    [DataRow(LeNet, LayerExecutionMode.Reconstructed)]
    [DataRow(Vgg, LayerExecutionMode.Auto)]
    public void CompressedModelScoresLikeTheModelWithReconstructedWeights(string sample, LayerExecutionMode mode)
    {
        var original = OnnxModel.Load(TestModels.Path(sample));
        var result = OnnxModelCompressor.Compress(original, new CompressionOptions { MaxRank = 8, ExecutionMode = mode, MinimumLayerParameters = 1000 });
        Assert.IsTrue(result.Report.Layers.Count(l => l.Format != "dense") >= 2, "several layers were compressed");

        var withReconstructedWeights = WithReconstructedWeights(original, result);
        var input = SampleInput(4);
        var expected = OrtScoring.Run(withReconstructedWeights.ToBytes(), input, [4, 1, 28, 28]);
        var actual = OrtScoring.Run(result.Model.ToBytes(), input, [4, 1, 28, 28]);
        Assert.IsLessThan(1e-4, RelativeDistance(expected, actual));
    }

    [TestMethod]
    public void FullRankCompressionScoresLikeTheOriginal()
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var result = OnnxModelCompressor.Compress(original, new CompressionOptions { MaxRank = 10_000, MinimumLayerParameters = 0, CompressInputConvolution = true, ExecutionMode = LayerExecutionMode.Factorized });

        var input = SampleInput(3);
        Assert.IsLessThan(1e-4, RelativeDistance(OrtScoring.Run(original.ToBytes(), input, [3, 1, 28, 28]), OrtScoring.Run(result.Model.ToBytes(), input, [3, 1, 28, 28])));
    }

    [TestMethod]
    public void FactorizedAndReconstructedAgree()
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var options = new CompressionOptions { MaxRank = 4, MinimumLayerParameters = 0 };
        options.ExecutionMode = LayerExecutionMode.Factorized;
        var factorized = OnnxModelCompressor.Compress(original, options).Model;
        options.ExecutionMode = LayerExecutionMode.Reconstructed;
        var reconstructed = OnnxModelCompressor.Compress(original, options).Model;

        var input = SampleInput(5);
        Assert.IsLessThan(1e-4, RelativeDistance(OrtScoring.Run(factorized.ToBytes(), input, [5, 1, 28, 28]), OrtScoring.Run(reconstructed.ToBytes(), input, [5, 1, 28, 28])));
    }

    [TestMethod]
    public void InlineFormScoresLikeTheFunctionFormAlsoOnOlderOpsets()
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var options = new CompressionOptions { MaxRank = 6, MinimumLayerParameters = 1000, ExecutionMode = LayerExecutionMode.Factorized };
        var functions = OnnxModelCompressor.Compress(original, options).Model;
        options.Inline = true;
        var inline = OnnxModelCompressor.Compress(original, options).Model;

        Assert.IsEmpty(inline.Proto.Functions);
        Assert.IsFalse(inline.Graph.Node.Any(n => n.Domain == TensorCompressionDomain.Name));
        var input = SampleInput(2);
        Assert.IsLessThan(1e-5, RelativeDistance(OrtScoring.Run(functions.ToBytes(), input, [2, 1, 28, 28]), OrtScoring.Run(inline.ToBytes(), input, [2, 1, 28, 28])));

        foreach (long opset in new long[] { 11, 13 })
        {
            var older = original.Clone();
            older.Proto.OpsetImport.Single(o => o.Domain == "").Version = opset;
            var olderInline = OnnxModelCompressor.Compress(older, options).Model;
            Assert.IsLessThan(1e-5, RelativeDistance(OrtScoring.Run(functions.ToBytes(), input, [2, 1, 28, 28]), OrtScoring.Run(olderInline.ToBytes(), input, [2, 1, 28, 28])), $"inline at opset {opset}");
        }
    }

    [TestMethod]
    public void AutoModeNeverChoosesMoreMultiplyAddsThanDense()
    {
        var result = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(Vgg)), new CompressionOptions { MaxRank = 4 });
        foreach (var layer in result.Report.Layers.Where(l => l.Format != "dense"))
            Assert.IsLessThanOrEqualTo(layer.MacsBefore!.Value, layer.MacsAfter!.Value, layer.Name);
    }

    [TestMethod]
    public void ReportCountsMatchTheOutputFile()
    {
        using var directory = new TemporaryDirectory();
        var output = directory.File("lenet-small.onnx");
        var result = OnnxModelCompressor.Compress(TestModels.Path(LeNet), output, new CompressionOptions { MaxRank = 6, MinimumLayerParameters = 1000 });

        var written = OnnxModel.Load(output);
        long floats = written.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float).Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.AreEqual(floats, result.Report.ModelParametersAfter);
        Assert.AreEqual(61_706, result.Report.ModelParametersBefore);
        long denseWeights = result.Report.Layers.Sum(l => l.ParametersBefore);
        long biasesAndOthers = 61_706 - denseWeights;
        Assert.AreEqual(biasesAndOthers + result.Report.Layers.Sum(l => l.ParametersAfter), result.Report.ModelParametersAfter, "whole-model count = other parameters + every layer's after-count");

        var stored = CompressionReport.FromJson(written.Proto.MetadataProps.Single(p => p.Key == CompressionReport.MetadataKey).Value);
        Assert.AreEqual(result.Report.ModelParametersAfter, stored.ModelParametersAfter);
        Assert.HasCount(result.Report.Layers.Count, stored.Layers);
        Assert.IsTrue(result.Report.FileBytesAfter < result.Report.FileBytesBefore);
    }

    [TestMethod]
    [DataRow(RankAllocation.LeastLargestError)]
    [DataRow(RankAllocation.LeastTotalError)]
    [DataRow(RankAllocation.UniformRank)]
    public void TargetRatioIsMetWholeModel(RankAllocation allocation)
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var result = OnnxModelCompressor.Compress(original, new CompressionOptions { TargetCompressionRatio = 5, MinimumLayerParameters = 0, RankAllocation = allocation });
        Assert.IsGreaterThanOrEqualTo(5.0, result.Report.CompressionRatio);
        Assert.IsLessThan(6.0, result.Report.CompressionRatio, "not far past the budget: ranks were chosen for it");
        Assert.IsTrue(result.Report.TargetReached);
    }

    [TestMethod]
    public void UniformRankGivesEveryCompressedLayerAtLeastTheSameRankCap()
    {
        // Interleaved: every layer but the input convolution and the classifier compresses at 10x (split, the convolutions
        // before the last stay dense, and the two layers left share the leftover).
        var options = new CompressionOptions { TargetCompressionRatio = 10, RankAllocation = RankAllocation.UniformRank, Layout = TensorLayout.Interleaved };
        var report = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(Vgg)), options).Report;
        var compressed = report.Layers.Where(l => l.Ranks is not null).ToArray();
        string ranks = string.Join(" | ", report.Layers.Select(l => $"{l.Name} {l.Format} {(l.Ranks is null ? "" : string.Join("-", l.Ranks))}"));
        // The cap is the smallest layer maximum; the leftover only ever raises a layer above it, by one rung of its ladder at a time.
        int cap = compressed.Min(l => l.Ranks!.Max());
        Assert.IsGreaterThanOrEqualTo(3, compressed.Count(l => l.Ranks!.Max() == cap), $"most layers sit at the common cap {cap}: {ranks}");
        Assert.AreEqual("dense", report.Layers[^1].Format, $"the 10-way classifier's rank-r factorisation would hardly be smaller: dense ({ranks})");
        Assert.IsGreaterThanOrEqualTo(10.0, report.CompressionRatio);
        Assert.IsLessThan(10.5, report.CompressionRatio, "the leftover is spent: close to the target");
    }

    [TestMethod]
    public void AnUnreachableTargetGivesTheSmallestModelAndSaysSo()
    {
        // LeNet's compressible layers are its two large fully connected ones: no target far beyond ~15x can be met.
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        CompressionReport At(double target, RankAllocation allocation) =>
            OnnxModelCompressor.Compress(original, new CompressionOptions { TargetCompressionRatio = target, RankAllocation = allocation }).Report;
        foreach (var allocation in new[] { RankAllocation.LeastLargestError, RankAllocation.LeastTotalError, RankAllocation.UniformRank })
        {
            var reachable = At(8, allocation);
            var far = At(300, allocation);
            var farther = At(1000, allocation);
            Assert.IsTrue(reachable.TargetReached, $"{allocation}");
            Assert.IsGreaterThan(reachable.CompressionRatio, far.CompressionRatio, $"{allocation}: a higher target never gives a bigger model");
            Assert.AreEqual(far.ModelParametersAfter, farther.ModelParametersAfter, $"{allocation}: both are the smallest model there is");
            Assert.IsFalse(farther.TargetReached, $"{allocation}");
            Assert.Contains("1000x is not reachable", farther.Warnings[0]);
        }
    }

    [TestMethod]
    public void OutputErrorAllocationNeedsData()
    {
        var options = new CompressionOptions { TargetCompressionRatio = 5, RankAllocation = RankAllocation.OutputError };
        var error = Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(LeNet)), options));
        Assert.Contains("calibration data", error.Message);
    }

    [TestMethod]
    public void DefaultsKeepTheInputConvolutionAndSmallLayersDense()
    {
        var result = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(LeNet)));
        var conv1 = result.Report.Layers.Single(l => l.Name == "/conv1/Conv");
        Assert.AreEqual("dense", conv1.Format);
        Assert.Contains("input convolution", conv1.Note!);
        var fc3 = result.Report.Layers.Single(l => l.Name == "/fc3/Gemm");
        Assert.AreEqual("dense", fc3.Format);
        Assert.Contains("fewer than MinimumLayerParameters", fc3.Note!);
        Assert.AreEqual("HT", result.Report.Layers.Single(l => l.Name == "/fc1/Gemm").Format);
        Assert.AreEqual("dense", result.Report.Layers.Single(l => l.Name == "/conv2/Conv").Format, "2,400 weights: too small by default");
    }

    [TestMethod]
    public void HybridDefaultPutsConvolutionsInTensorTrainAndFullyConnectedInHierarchicalTucker()
    {
        var report = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(Vgg))).Report;
        CollectionAssert.AreEqual(new[] { "dense", "TT", "TT", "TT", "HT", "HT", "HT" }, report.Layers.Select(l => l.Format).ToArray());
        Assert.IsTrue(report.Layers.Where(l => l.Ranks is not null).All(l => l.Ranks!.Max() <= CompressionOptions.DefaultMaxRank));
        Assert.IsGreaterThan(50.0, report.CompressionRatio);
    }

    [TestMethod]
    public void PolicyAndOverridesChooseFormats()
    {
        var options = new CompressionOptions { Policy = CompressionPolicy.TensorTrain, MaxRank = 4, MinimumLayerParameters = 0 };
        options.LayerOverrides.Add(LayerOverride.Parse("/fc2/*=ht:3"));
        options.LayerOverrides.Add(LayerOverride.Parse("/conv2/Conv=dense"));
        var report = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(LeNet)), options).Report;

        Assert.AreEqual("TT", report.Layers.Single(l => l.Name == "/fc1/Gemm").Format);
        var fc2 = report.Layers.Single(l => l.Name == "/fc2/Gemm");
        Assert.AreEqual("HT", fc2.Format);
        Assert.IsTrue(fc2.Ranks!.Max() <= 3);
        Assert.AreEqual("dense", report.Layers.Single(l => l.Name == "/conv2/Conv").Format);
    }

    [TestMethod]
    public void ModelWithNothingCompressibleComesOutScoringIdentically()
    {
        var original = new OnnxModel(GemmReluModel.Create());
        var result = OnnxModelCompressor.Compress(original);

        Assert.IsTrue(result.Report.Layers.All(l => l.Format == "dense"));
        Assert.AreEqual(result.Report.ModelParametersBefore, result.Report.ModelParametersAfter);
        float[] input = [0.5f, -1, 2, 0.25f, 1, 1, -0.5f, 3];
        CollectionAssert.AreEqual(OrtScoring.Run(original.ToBytes(), input, [2, 4]), OrtScoring.Run(result.Model.ToBytes(), input, [2, 4]));
    }

    [TestMethod]
    public void DataFreeResultsFarFromTheWeightsCarryAWarning()
    {
        var original = OnnxModel.Load(TestModels.Path(LeNet));
        var far = OnnxModelCompressor.Compress(original, new CompressionOptions { TargetCompressionRatio = 5 }).Report;
        var warning = far.Warnings.Single();
        Assert.Contains("Re-fit with calibration data", warning);
        Assert.Contains("Warning: ", far.ToMarkdown());
        Assert.IsEmpty(OnnxModelCompressor.Compress(original, new CompressionOptions { MaxRank = 10_000 }).Report.Warnings, "full rank is exact");
    }

    [TestMethod]
    public void ModelsOverTheProtobufLimitAreRecognisedForTheExternalDataPath()
    {
        var model = OnnxModel.Load(TestModels.Path(LeNet));
        Assert.IsTrue(model.FitsInOneFile);
        Assert.IsFalse(model.FitsWithin(maxBytes: 100_000), "248 KB of weights do not fit in 100 KB");
        Assert.IsTrue(model.FitsWithin(maxBytes: 300_000));
    }

    [TestMethod]
    public void InputFileIsNeverOverwrittenAndBadOptionsAreNamed()
    {
        using var directory = new TemporaryDirectory();
        var input = directory.File("model.onnx");
        File.Copy(TestModels.Path(LeNet), input);
        var before = File.ReadAllBytes(input);

        var sameFile = Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(input, input));
        Assert.Contains("is the input model", sameFile.Message);
        CollectionAssert.AreEqual(before, File.ReadAllBytes(input));

        Assert.AreEqual("MaxRank", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(input), new CompressionOptions { MaxRank = 0 })).ParamName);
        Assert.AreEqual("Tolerance", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(input), new CompressionOptions { Tolerance = double.NaN })).ParamName);
        Assert.AreEqual("TargetCompressionRatio", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(input), new CompressionOptions { TargetCompressionRatio = 0.5 })).ParamName);
        Assert.Contains("not a valid ONNX model", Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelCompressor.Compress(OnnxModel.Load(new byte[] { 1, 2, 3, 4, 5 }))).Message);
    }

    /// <summary>The original model with each compressed layer's weight replaced by its reconstruction (the sample models store weights canonically).</summary>
    internal static OnnxModel WithReconstructedWeights(OnnxModel original, CompressionResult result)
    {
        var copy = original.Clone();
        foreach (var factorization in result.Factorizations)
        {
            var name = factorization.Layer.Nodes[0].Input[1];
            var index = copy.Graph.Initializer.ToList().FindIndex(t => t.Name == name);
            copy.Graph.Initializer[index] = FloatTensorProto.Create(name, factorization.Layer.Weight.Shape.ToArray(), factorization.ReconstructWeight());
        }
        return copy;
    }

    internal static float[] SampleInput(int count) =>
        Enumerable.Range(0, count * 784).Select(i => 0.5f + 0.5f * MathF.Sin(0.013f * i * i % 97)).ToArray();

    internal static double RelativeDistance(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference += (expected[i] - actual[i]) * (double)(expected[i] - actual[i]);
            norm += expected[i] * (double)expected[i];
        }
        return Math.Sqrt(difference / norm);
    }
}

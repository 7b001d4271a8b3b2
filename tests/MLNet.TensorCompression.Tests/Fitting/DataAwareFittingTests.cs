using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Onnx;
using MLNet.TensorCompression.Tests.Samples;

namespace MLNet.TensorCompression.Tests.Fitting;

[TestClass]
public sealed class DataAwareFittingTests
{
    [TestMethod]
    [DataRow("lenet5-fashion.onnx")]
    [DataRow("vgg-fashion.onnx")]
    public void RegressionRowsReproduceTheOriginalLayerExactly(string sample)
    {
        // With the original weights, the squared error over every row (every pixel of a convolution) must vanish: checks
        // im2col, padding, layouts, the bias column and the Gram form of the statistics.
        var model = OnnxModel.Load(TestModels.Path(sample));
        var samples = TrainingSamples(20);
        using var session = new ActivationSession(model, LayerFinder.Find(model).Layers.SelectMany(l => new[] { l.InputName, l.OutputName }));
        foreach (var layer in LayerFinder.Find(model).Layers)
        {
            int inputs = (int)(layer.WeightCount / layer.OutputSize);
            var training = new LayerStatistics(inputs, layer.OutputSize, layer.Bias is not null, expectedRows: long.MaxValue);
            var holdout = new LayerStatistics(inputs, layer.OutputSize, layer.Bias is not null, expectedRows: 0);
            var rows = new RegressionRows(layer, training, holdout, sample => sample % 4 == 0);
            foreach (var (input, output) in session.Run(samples, layer.InputName).Zip(session.Run(samples, layer.OutputName)))
                rows.Add(input.Start, input.Values, input.Shape, output.Values, output.Shape);
            rows.Flush();

            var weight = new Matrix(layer.OutputSize, training.AugmentedSize);
            for (int o = 0; o < layer.OutputSize; o++)
            {
                for (int k = 0; k < inputs; k++) weight[o, k] = layer.Weight.Data[(o * inputs) + k];
                if (layer.Bias is not null) weight[o, inputs] = layer.Bias[o];
            }
            long perSample = layer.ApplicationsPerSample ?? 1;
            Assert.AreEqual(15 * perSample, training.RowCount, $"{sample} {layer.Name}: every row of every training sample");
            Assert.AreEqual(5 * perSample, holdout.RowCount, $"{sample} {layer.Name}: every row of every held-back sample");
            Assert.IsLessThan(1e-9, training.SumOfSquaredErrors(weight) / training.TargetEnergy, $"{sample} {layer.Name}: Gram form");
            Assert.IsLessThan(1e-9, holdout.SumOfSquaredErrors(weight) / holdout.TargetEnergy, $"{sample} {layer.Name}: row form");
        }
    }

    [TestMethod]
    public void DataAwareFittingBeatsDataFreeOnHeldBackImagesAtTheSameSize()
    {
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var options = new CompressionOptions { TargetCompressionRatio = 5 };
        var free = OnnxModelCompressor.Compress(original, options);
        var aware = OnnxModelCompressor.Compress(original, options, TrainingSamples(500), new RefitOptions { Steps = 200 });

        Assert.AreEqual(free.Report.ModelParametersAfter, aware.Report.ModelParametersAfter, "same size");
        double freeAccuracy = TestAccuracy(free.Model), awareAccuracy = TestAccuracy(aware.Model);
        // Measured (split layout, the default): 0.807 data-free, 0.894 data-aware on these 2,000 test images (interleaved: 0.483, 0.847).
        Assert.IsGreaterThan(freeAccuracy + 0.05, awareAccuracy, $"data-free {freeAccuracy}, data-aware {awareAccuracy}");
    }

    [TestMethod]
    [DataRow(LayerExecutionMode.Auto)]
    [DataRow(LayerExecutionMode.Factorized)]
    [DataRow(LayerExecutionMode.Reconstructed)]
    public void ADenseLayerAsOneCoreTrainScoresExactlyLikeTheOriginal(LayerExecutionMode mode)
    {
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var options = new CompressionOptions { ExecutionMode = mode };
        var plans = OnnxModelCompressor.PlanFormats(original, LayerFinder.Find(original), options);
        var layers = plans.Select(p => new PlannedLayer(p, null)).ToArray();
        int fc3 = Array.FindIndex(layers, l => l.Plan.Layer.Name == "/fc3/Gemm");
        Assert.IsTrue(DenseRefit.Applies(layers[fc3]));
        layers[fc3] = DenseRefit.AsOneCoreTrain(layers[fc3]);

        var (model, reports) = CompressedModelEmitter.Emit(original, layers, options);
        var input = TrainingSamples(8);
        var expected = OrtScoring.Run(original.ToBytes(), input.Data, [8, 1, 28, 28]);
        var actual = OrtScoring.Run(model.ToBytes(), input.Data, [8, 1, 28, 28]);
        Assert.IsLessThan(1e-4, expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max(), "the weight itself, unchanged");
        Assert.AreEqual(original.ParameterCount, model.ParameterCount, "as many values as before");
        var report = reports.Single(r => r.Name == "/fc3/Gemm");
        Assert.AreEqual("dense", report.Format);
        Assert.Contains("re-fitted", report.Note!);
    }

    [TestMethod]
    public void DenseLayersAfterCompressedOnesAreRefittedUnlessPinned()
    {
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var refit = new RefitOptions { Steps = 20, AlternatingSweeps = 1 };
        var lines = new List<string>();
        // Interleaved: its fc1 and fc2 leave fc3's inputs far enough off for fc3's re-fit to help on held-back rows (split
        // ones at 5x fit so closely that fc3's best held-back error is its original weight's).
        var options = new CompressionOptions { TargetCompressionRatio = 5, Layout = TensorLayout.Interleaved };
        var result = OnnxModelCompressor.Compress(original, options, TrainingSamples(200), refit, lines.Add);
        var fc3 = result.Report.Layers.Single(l => l.Name == "/fc3/Gemm");
        Assert.AreEqual("dense", fc3.Format);
        Assert.Contains("re-fitted", fc3.Note!, string.Join("\n", lines));
        Assert.IsGreaterThan(0.0, fc3.RelativeError, "its weights moved");

        var pinned = options.Clone();
        pinned.LayerOverrides.Add(LayerOverride.Parse("/fc3/Gemm=dense"));
        var kept = OnnxModelCompressor.Compress(original, pinned, TrainingSamples(200), refit).Report.Layers.Single(l => l.Name == "/fc3/Gemm");
        Assert.DoesNotContain("re-fitted", kept.Note!);
        var off = OnnxModelCompressor.Compress(original, options, TrainingSamples(200), refit with { RefitDenseLayers = false }).Report.Layers.Single(l => l.Name == "/fc3/Gemm");
        Assert.DoesNotContain("re-fitted", off.Note ?? "");
    }

    [TestMethod]
    public void OutputErrorIsZeroForTheOriginalAndGrowsAsRanksFall()
    {
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var measure = new OutputError(original, TrainingSamples(150), count: 40, seed: 1);
        double AtRank(int rank) => measure.Measure(OnnxModelCompressor.Compress(original, new CompressionOptions { MaxRank = rank }).Model);

        Assert.AreEqual(0, measure.Measure(original), 1e-12);
        double high = AtRank(16), low = AtRank(2);
        Assert.IsGreaterThan(0.0, high);
        Assert.IsGreaterThan(high, low, $"rank 16: {high}, rank 2: {low}");
    }

    [TestMethod]
    public void OutputErrorAllocationMeetsTheTargetWithData()
    {
        var options = new CompressionOptions { TargetCompressionRatio = 5, RankAllocation = RankAllocation.OutputError };
        var lines = new List<string>();
        var result = OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx")), options, TrainingSamples(200),
            new RefitOptions { Steps = 20, AlternatingSweeps = 1, AllocationSamples = 50 }, lines.Add);
        Assert.IsTrue(result.Report.TargetReached, $"{result.Report.CompressionRatio}");
        Assert.IsLessThan(6.0, result.Report.CompressionRatio);
        Assert.AreEqual(2, lines.Count(l => l.StartsWith("output error of", StringComparison.Ordinal)), string.Join("\n", lines));
    }

    [TestMethod]
    [DataRow(1, 0)]
    [DataRow(2, 1000)]
    public void OutputErrorAllocationBeatsTheLeastTotalWeightErrorOnLeNet(int seed, int firstSample)
    {
        // Measured after the re-fit, a layer's effect on the output allocates well; the weight error's sum does not (it
        // starves fc1). Before the re-fit, the output error chose as the weight error did: 0.8556 both, at 5x on
        // Debian's 10,000 test images; after it, 0.8699 against 0.8105. Measured on the interleaved layout: with the
        // split one (the default) both rules pick the same ranks here (0.8915 and 0.8935 on these two draws).
        var original = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var calibration = TrainingSamples(firstSample, 500);
        var refit = new RefitOptions { Steps = 100, Seed = seed };
        double Accuracy(RankAllocation allocation) => TestAccuracy(OnnxModelCompressor.Compress(original,
            new CompressionOptions { TargetCompressionRatio = 5, RankAllocation = allocation, Layout = TensorLayout.Interleaved }, calibration, refit).Model);

        double onData = Accuracy(RankAllocation.OutputError), onWeights = Accuracy(RankAllocation.LeastTotalError);
        Assert.IsGreaterThan(onWeights + 0.02, onData, $"output error {onData}, least total weight error {onWeights}");
    }

    [TestMethod]
    public void CalibrationInputMustBeAModelInputAndRefitSettingsAreNamed()
    {
        var model = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
        var wrongInput = new CalibrationSet("pixels", [1, 28, 28], new float[784]);
        Assert.Contains("'pixels', which is not an input", Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(model, null, wrongInput)).Message);
        Assert.AreEqual("Steps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => OnnxModelCompressor.Compress(model, null, TrainingSamples(2), new RefitOptions { Steps = -1 })).ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => new CalibrationSet("input", [1, 28, 28], new float[100]));
    }

    private static CalibrationSet TrainingSamples(int count) => TrainingSamples(0, count);

    private static CalibrationSet TrainingSamples(int first, int count)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-train-2000-images.idx3-ubyte"));
        return new CalibrationSet("input", [1, rows, columns], pixels[(first * rows * columns)..((first + count) * rows * columns)]);
    }

    private static double TestAccuracy(OnnxModel model)
    {
        var (pixels, _, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(SampleData.Path("fashion-test-2000-labels.idx1-ubyte"));
        return ClassifierAccuracy.Measure(model, new CalibrationSet("input", [1, rows, columns], pixels), labels);
    }
}

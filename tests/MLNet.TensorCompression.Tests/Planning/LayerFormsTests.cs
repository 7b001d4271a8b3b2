using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Exports;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Planning;

/// <summary>
/// The latency and balanced objectives choose each layer's layout and form from timings (a fake timer here, so the
/// choices are deterministic): never a form slower than the dense layer, the model's ratio kept, and the output exact at
/// full rank whatever form is chosen.
/// </summary>
[TestClass]
public sealed class LayerFormsTests
{
    private const string LeNet = "lenet5-fashion.onnx";

    private static CompressionResult Compress(CompressionObjective objective, ILayerTimer timer, Action<CompressionOptions>? configure = null)
    {
        var options = new CompressionOptions { Objective = objective, LayerTimer = timer, MinimumLayerParameters = 1000, TargetCompressionRatio = 4 };
        configure?.Invoke(options);
        return OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(LeNet)), options);
    }

    [TestMethod]
    public void SizeTimesNothingAndReportsNoLatency()
    {
        var timer = FakeLayerTimer.Favouring(ExecutionForm.Split);
        var result = Compress(CompressionObjective.Size, timer);

        Assert.IsEmpty(timer.Calls);
        Assert.AreEqual(CompressionObjective.Size, result.Report.Objective);
        Assert.IsTrue(result.Report.Layers.All(l => l.Latency is null));
    }

    [TestMethod]
    public void LatencyTimesTheDenseLayerAndEveryFormOfBothLayoutsAtEachBatchSize()
    {
        var timer = FakeLayerTimer.Favouring(ExecutionForm.Split);
        var result = Compress(CompressionObjective.Latency, timer, o => o.LatencyBatchSizes = [1, 8, 32]);

        int compressed = result.Report.Layers.Count(l => l.Format != "dense");
        Assert.IsGreaterThanOrEqualTo(2, compressed);
        Assert.HasCount(3 * compressed, timer.Calls);
        CollectionAssert.AreEqual(new[] { 1, 8, 32 }, timer.Calls.Take(3).Select(c => c.BatchSize).ToArray());
        foreach (var (forms, _) in timer.Calls)
            CollectionAssert.AreEquivalent(new[] { ExecutionForm.Dense, ExecutionForm.Reconstructed, ExecutionForm.Factorized, ExecutionForm.Split }, forms);
    }

    [TestMethod]
    public void LatencyTakesTheFastestFormAndKeepsTheTargetRatio()
    {
        var result = Compress(CompressionObjective.Latency, FakeLayerTimer.Favouring(ExecutionForm.Split));

        Assert.IsTrue(result.Report.TargetReached, $"{result.Report.CompressionRatio:0.00}x");
        foreach (var layer in result.Report.Layers.Where(l => l.Format != "dense"))
        {
            Assert.AreEqual("Split", layer.ExecutionMode, layer.Name);
            Assert.IsNotNull(layer.Latency);
            Assert.IsTrue(layer.Latency.All(l => l.Ratio == 0.5), layer.Name);
            Assert.IsLessThan(layer.ParametersBefore, layer.RuntimeParameters, layer.Name);
        }
    }

    [TestMethod]
    public void LatencyNeverTakesAFormSlowerThanTheDenseLayer()
    {
        // Known to lose: the factor chains at 3x, the split form at 1.5x, and the rebuilt weight past the noise margin.
        var timer = new FakeLayerTimer(form => form switch
        {
            ExecutionForm.Dense => 1,
            ExecutionForm.Reconstructed => 1 + 2 * LayerForms.NoiseMargin,
            ExecutionForm.Factorized => 3,
            _ => 1.5,
        });
        var result = Compress(CompressionObjective.Latency, timer);

        Assert.IsNotEmpty(timer.Calls);
        Assert.IsTrue(result.Report.Layers.All(l => l.Format == "dense"), string.Join("; ", result.Report.Layers.Select(l => $"{l.Name} {l.Format} {l.ExecutionMode}")));
        var timed = result.Report.Layers.Where(l => l.Latency is not null).ToArray();
        Assert.HasCount(timer.Calls.Count / 2, timed);
        Assert.IsTrue(timed.All(l => l.Note!.Contains("slower than the dense layer") && l.Latency!.All(b => b.Ratio == 1)));
    }

    [TestMethod]
    public void AFormWithinTheNoiseMarginOfTheDenseLayerIsTakenAndTheChainThatLosesIsNot()
    {
        var timer = new FakeLayerTimer(form => form switch
        {
            ExecutionForm.Dense => 1,
            ExecutionForm.Reconstructed => 1 + LayerForms.NoiseMargin / 2,
            _ => 3,
        });
        var result = Compress(CompressionObjective.Latency, timer);

        Assert.IsTrue(result.Report.Layers.Where(l => l.Format != "dense").All(l => l.ExecutionMode == "Reconstructed"));
        Assert.IsTrue(result.Report.TargetReached);
    }

    [TestMethod]
    public void AnExecutionModeLimitsTheFormsTimed()
    {
        var timer = FakeLayerTimer.Favouring(ExecutionForm.Split);
        var result = Compress(CompressionObjective.Latency, timer, o => o.ExecutionMode = LayerExecutionMode.Reconstructed);

        Assert.IsTrue(timer.Calls.All(c => c.Forms.SequenceEqual([ExecutionForm.Dense, ExecutionForm.Reconstructed])));
        Assert.IsTrue(result.Report.Layers.Where(l => l.Format != "dense").All(l => l.ExecutionMode == "Reconstructed"));
    }

    [TestMethod]
    public void BalancedTakesTheMostAccurateFormWithinTenPercentOfTheFastest()
    {
        // Two forms a hair apart, either way round: latency takes the faster, balanced the more accurate of the two.
        foreach (var (faster, mode) in new[] { (ExecutionForm.Split, "Split"), (ExecutionForm.Reconstructed, "Reconstructed") })
        {
            var timer = new FakeLayerTimer(form => form == faster ? 0.95 : form == ExecutionForm.Factorized ? 3 : 1);
            var latency = Compress(CompressionObjective.Latency, timer).Report.Layers;
            var balanced = Compress(CompressionObjective.Balanced, timer).Report.Layers;
            foreach (var (fast, accurate) in latency.Zip(balanced).Where(p => p.First.Format != "dense"))
            {
                Assert.AreEqual(mode, fast.ExecutionMode);
                Assert.IsLessThanOrEqualTo(fast.RelativeError, accurate.RelativeError, $"{accurate.Name}: balanced took {accurate.ExecutionMode}");
            }
        }

        // Far apart, balanced takes the fast one too.
        var farApart = FakeLayerTimer.Favouring(ExecutionForm.Split);
        Assert.IsTrue(Compress(CompressionObjective.Balanced, farApart).Report.Layers.Where(l => l.Format != "dense").All(l => l.ExecutionMode == "Split"));
    }

    [TestMethod]
    [DataRow(nameof(ExecutionForm.Reconstructed))]
    [DataRow(nameof(ExecutionForm.Factorized))]
    [DataRow(nameof(ExecutionForm.Split))]
    public void EveryChosenFormScoresLikeTheOriginalAtFullRank(string form)
    {
        var fastest = Enum.Parse<ExecutionForm>(form);
        var original = ExportModels.ConvGemm();
        var options = ExportModels.FullRank();
        options.Objective = CompressionObjective.Latency;
        options.LayerTimer = FakeLayerTimer.Favouring(fastest);
        var result = OnnxModelCompressor.Compress(original, options);

        var compressed = result.Report.Layers.Where(l => l.Format != "dense").ToArray();
        Assert.HasCount(2, compressed);
        Assert.IsTrue(compressed.All(l => l.ExecutionMode == fastest.ToString()), string.Join("; ", compressed.Select(l => $"{l.Name} {l.ExecutionMode}")));
        var input = ExportModels.Input(3);
        var expected = OrtScoring.Run(original.ToBytes(), input, ExportModels.InputShape(3));
        Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(expected, OrtScoring.Run(result.Model.ToBytes(), input, ExportModels.InputShape(3))));
    }

    [TestMethod]
    public void TheReportCarriesObjectiveLatencyAndRuntimeWeightsThroughJsonAndMarkdown()
    {
        var report = Compress(CompressionObjective.Latency, FakeLayerTimer.Favouring(ExecutionForm.Split), o => o.LatencyBatchSizes = [2]).Report;
        var parsed = CompressionReport.FromJson(report.ToJson());

        Assert.AreEqual(CompressionObjective.Latency, parsed.Objective);
        var layer = parsed.Layers.First(l => l.ExecutionMode == "Split");
        Assert.AreEqual(report.Layers.First(l => l.ExecutionMode == "Split").RuntimeParameters, layer.RuntimeParameters);
        Assert.AreEqual(new BatchLatency(2, 1, 0.5), layer.Latency!.Single());
        Assert.IsTrue(parsed.Layers.All(l => l.RuntimeParameters > 0));
        StringAssert.Contains(report.ToMarkdown(), "b2 1.000 → 0.500 ms (0.50x)");
        StringAssert.Contains(report.ToMarkdown(), "objective Latency");
    }

    [TestMethod]
    public void OnnxRuntimeTimesEveryLayerAndTheRuleHoldsOnWhatItMeasured()
    {
        // The real timer (no assertion on the times themselves: the machine is shared).
        var options = ExportModels.FullRank();
        options.Objective = CompressionObjective.Latency;
        options.LatencyBatchSizes = [2];
        var layers = OnnxModelCompressor.Compress(ExportModels.ConvGemm(), options).Report.Layers;

        Assert.IsTrue(layers.All(l => l.Latency is { Count: 1 } latency && latency[0].BatchSize == 2 && latency[0].DenseMilliseconds > 0 && latency[0].Milliseconds > 0));
        Assert.IsTrue(layers.All(l => l.Latency![0].Ratio <= 1 + LayerForms.NoiseMargin), string.Join("; ", layers.Select(l => $"{l.Name} {l.ExecutionMode} {l.Latency![0].Ratio:0.00}x")));
    }

    [TestMethod]
    public void TheCacheTimesAFormSetOnceAndAgainWhenAFormIsNew()
    {
        var inner = FakeLayerTimer.Favouring(ExecutionForm.Split);
        var cache = new CachedLayerTimer(inner);
        var model = OnnxModel.Load(TestModels.Path(LeNet));
        TimedForm Form(string key) => new(key, ExecutionForm.Dense, model);

        cache.MedianMilliseconds([Form("a"), Form("b")], 1);
        cache.MedianMilliseconds([Form("b"), Form("a")], 1);
        Assert.HasCount(1, inner.Calls);
        cache.MedianMilliseconds([Form("a"), Form("b")], 64);
        cache.MedianMilliseconds([Form("a"), Form("c")], 1);
        Assert.HasCount(3, inner.Calls);
    }

    [TestMethod]
    public void OptionsRejectNoOrNonPositiveBatchSizesAndCloneCopiesThem()
    {
        Assert.AreEqual(nameof(CompressionOptions.LatencyBatchSizes), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CompressionOptions { LatencyBatchSizes = [] }.Validate()).ParamName);
        Assert.AreEqual(nameof(CompressionOptions.LatencyBatchSizes), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CompressionOptions { LatencyBatchSizes = [1, 0] }.Validate()).ParamName);
        Assert.AreEqual(nameof(CompressionOptions.Objective), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CompressionOptions { Objective = (CompressionObjective)7 }.Validate()).ParamName);
        var batches = new[] { 1, 64 };
        var copy = new HybridCompressionOptions { Objective = CompressionObjective.Balanced, LatencyBatchSizes = batches }.Clone();
        batches[0] = 5;
        Assert.AreEqual(CompressionObjective.Balanced, copy.Objective);
        CollectionAssert.AreEqual(new[] { 1, 64 }, copy.LatencyBatchSizes.ToArray());
    }
}

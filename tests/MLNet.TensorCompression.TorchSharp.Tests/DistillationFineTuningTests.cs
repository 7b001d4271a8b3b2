using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.MLNet;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Distillation on LeNet-5 and the committed Fashion-MNIST subsets: it recovers accuracy, keeps the best factors, and plugs into the estimator.</summary>
[TestClass]
public sealed class DistillationFineTuningTests
{
    private static readonly OnnxModel LeNet = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));
    private static readonly Lazy<OnnxModel> DataFree10x = new(() =>
        // The allocation the measurements below were made with (the default is now UniformRank).
        OnnxModelCompressor.Compress(LeNet, new CompressionOptions { TargetCompressionRatio = 10, RankAllocation = RankAllocation.LeastLargestError }).Model);
    private static readonly Lazy<OnnxModel> DataFreeRank16 = new(() =>
        OnnxModelCompressor.Compress(LeNet, new CompressionOptions { MaxRank = 16 }).Model);

    [TestMethod]
    [DataRow(DistillationLossKind.LogitsKL)]   // with the labels' cross-entropy
    [DataRow(DistillationLossKind.FeatureMse)] // normalised by the whole batch's teacher
    public void AStepPassedInPartsHasTheWholeBatchsLossAndGradients(DistillationLossKind kind)
    {
        var (train, labels) = FashionSubset.Training(300);
        (double Loss, float[][] Gradients) FirstStep(long maxInputValuesPerPass)
        {
            var settings = new DistillationFineTuning { BatchSize = 64, LossKind = kind, MaxInputValuesPerPass = maxInputValuesPerPass };
            using var run = DistillationRun.Start(settings, new FineTuningRequest(LeNet, DataFreeRank16.Value, train, labels));
            var (loss, applied) = run.TrainStep(0);
            Assert.IsTrue(applied, "the step is taken");
            return (loss, run.TrainedParameters.Select(p => p.grad!.data<float>().ToArray()).ToArray());
        }

        var whole = FirstStep(64 * 28 * 28);
        var parts = FirstStep(10 * 28 * 28); // six parts of 10 rows and one of 4
        Assert.AreEqual(whole.Loss, parts.Loss, 1e-5 * Math.Abs(whole.Loss), "loss");
        for (int i = 0; i < whole.Gradients.Length; i++)
        {
            float scale = whole.Gradients[i].Max(Math.Abs);
            Assert.IsGreaterThan(0f, scale, $"parameter {i} has a gradient");
            float difference = whole.Gradients[i].Zip(parts.Gradients[i], (a, b) => Math.Abs(a - b)).Max();
            Assert.IsLessThan(1e-4f * scale, difference, $"parameter {i}: gradients differ by {difference} (largest {scale})");
        }
    }

    [TestMethod]
    public void StepsWithANonFiniteLossAreSkippedAndARunOfThemEndsWithTheKeptFactors()
    {
        // One factor full of NaN: every step's loss is NaN. No step may be taken (a taken step would spread the NaN to
        // every weight), and after ten in a row the run stops with the starting factors, which validation kept.
        var poisoned = DataFreeRank16.Value.Clone();
        var factors = OnnxTorchGraph.CompressedLayerInputs(poisoned.Proto);
        int index = poisoned.Graph.Initializer.ToList().FindIndex(t => factors.Contains(t.Name));
        var factor = FloatTensorProto.Read(poisoned.Graph.Initializer[index]);
        poisoned.Graph.Initializer[index] = FloatTensorProto.Create(factor.Name, factor.Shape.ToArray(), Enumerable.Repeat(float.NaN, factor.Data.Length).ToArray());
        var (train, labels) = FashionSubset.Training(600);
        var messages = new List<string>();

        var outcome = new DistillationFineTuning { MaxSteps = 30, BatchSize = 32, ValidationFraction = 0.1 }
            .Run(new FineTuningRequest(LeNet, poisoned, train, labels, Progress: messages.Add));

        Assert.HasCount(10, messages.Where(m => m.StartsWith("skipped step", StringComparison.Ordinal)), string.Join("\n", messages));
        StringAssert.Contains(outcome.Summary, "10 steps skipped for a non-finite loss or gradients");
        StringAssert.Contains(outcome.Summary, "stopped at step 10: the loss diverged");
        var kept = FloatTensorProto.Read(outcome.Model.Graph.Initializer.Single(t => t.Name == factor.Name));
        Assert.IsTrue(kept.Data.All(float.IsNaN), "the kept factors are the starting ones, untouched by any step");
        var other = poisoned.Graph.Initializer.First(t => t.DataType == 1 && t.Name != factor.Name);
        Assert.AreEqual(other, outcome.Model.Graph.Initializer.Single(t => t.Name == other.Name), "no other weight may change either");
    }

    [TestMethod]
    public void DistillationRecoversAccuracyThatDecompositionLost()
    {
        var (train, trainLabels) = FashionSubset.Training(2000);
        var (test, testLabels) = FashionSubset.Test(2000);
        var compressed = DataFree10x.Value;
        double original = ClassifierAccuracy.Measure(LeNet, test, testLabels);
        double before = ClassifierAccuracy.Measure(compressed, test, testLabels);

        // The recipe this was measured with: the defaults moved to VGG's (batch 128, every weight, 0.5·KL) in 9b5033b,
        // which on 2,000 rows halves the steps and reaches 0.7955 instead (same data-free model, byte for byte).
        var recipe = new DistillationFineTuning
        {
            Epochs = 4, LearningRate = 1e-2, BatchSize = 64, DistillationWeight = 0.9, TrainableParameters = TrainableParameters.CompressedOnly,
        };
        var outcome = recipe.Run(new FineTuningRequest(LeNet, compressed, train, trainLabels));
        double after = ClassifierAccuracy.Measure(outcome.Model, test, testLabels);

        // Measured: original 0.917, data-free 10x 0.2165, distilled 0.8450–0.8455 (libtorch's threads vary the last digit).
        Assert.IsLessThan(0.4, before, $"data-free 10x should have lost most of the accuracy ({before:0.000})");
        Assert.IsGreaterThan(0.83, after, $"distilled: {after:0.000} (before {before:0.000}, original {original:0.000})");
        Assert.AreEqual(compressed.ParameterCount, outcome.Model.ParameterCount, "fine-tuning changes values, not sizes");
        StringAssert.Contains(outcome.Summary, "validated on 100 held-back rows: accuracy");
    }

    [TestMethod]
    public void ARunThatOnlyGetsWorseKeepsTheStartingFactors()
    {
        var (train, labels) = FashionSubset.Training(400);
        var compressed = DataFreeRank16.Value;

        // A step size this large wrecks the factors at the first step; validation must never prefer that.
        var outcome = new DistillationFineTuning { Epochs = 2, LearningRate = 5, ValidationFraction = 0.25, ValidationInterval = 2, EarlyStoppingPatience = 2 }
            .Run(new FineTuningRequest(LeNet, compressed, train, labels));

        StringAssert.Contains(outcome.Summary, "kept (step 0)");
        StringAssert.Contains(outcome.Summary, "stopped");
        foreach (var tensor in compressed.Graph.Initializer)
            Assert.AreEqual(tensor, outcome.Model.Graph.Initializer.Single(t => t.Name == tensor.Name), $"initializer {tensor.Name}");
    }

    [TestMethod]
    public void WithoutLabelsItValidatesAgreementWithTheOriginalAndChangesOnlyFactors()
    {
        var (train, _) = FashionSubset.Training(300);
        var compressed = DataFreeRank16.Value;

        var outcome = new DistillationFineTuning { MaxSteps = 6, BatchSize = 32, TrainableParameters = TrainableParameters.CompressedOnly }.Run(new FineTuningRequest(LeNet, compressed, train, Labels: null));

        StringAssert.Contains(outcome.Summary, "no labels");
        StringAssert.Contains(outcome.Summary, "agreement with the original");
        StringAssert.Contains(outcome.Summary, "6 steps of 32 rows");
        var factorInputs = compressed.Graph.Node.Where(n => n.Domain == OnnxTorchGraph.CompressedLayerDomain).SelectMany(n => n.Input.Skip(1)).ToHashSet();
        foreach (var tensor in compressed.Graph.Initializer)
        {
            var tuned = outcome.Model.Graph.Initializer.Single(t => t.Name == tensor.Name);
            CollectionAssert.AreEqual(tensor.Dims.ToArray(), tuned.Dims.ToArray(), tensor.Name);
            if (!factorInputs.Contains(tensor.Name))
                Assert.AreEqual(tensor, tuned, $"{tensor.Name} is not a factor and must stay frozen");
        }
        Assert.IsTrue(compressed.Graph.Initializer.Any(t => factorInputs.Contains(t.Name) && !t.Equals(outcome.Model.Graph.Initializer.Single(u => u.Name == t.Name))),
            "some factor must have trained");
    }

    [TestMethod]
    public void EqualSeedsGiveEqualModels()
    {
        var (train, labels) = FashionSubset.Training(300);
        var settings = new DistillationFineTuning { MaxSteps = 4 };
        var first = settings.Run(new FineTuningRequest(LeNet, DataFreeRank16.Value, train, labels, Seed: 3));
        var second = settings.Run(new FineTuningRequest(LeNet, DataFreeRank16.Value, train, labels, Seed: 3));
        CollectionAssert.AreEqual(first.Model.ToBytes(), second.Model.ToBytes());
    }

    [TestMethod]
    public void SettingsOutOfRangeAreNamed()
    {
        (string Name, DistillationFineTuning Settings)[] cases =
        [
            ("Epochs", new() { Epochs = 0 }),
            ("BatchSize", new() { BatchSize = 0 }),
            ("LearningRate", new() { LearningRate = double.NaN }),
            ("Temperature", new() { Temperature = -1 }),
            ("DistillationWeight", new() { DistillationWeight = 1.5 }),
            ("ValidationFraction", new() { ValidationFraction = 1 }),
            ("EarlyStoppingPatience", new() { EarlyStoppingPatience = 0 }),
            ("MaxSteps", new() { MaxSteps = 0 }),
            ("TrainableParameters", new() { TrainableParameters = (TrainableParameters)7 }),
            ("Threads", new() { Threads = 0 }),
        ];
        foreach (var (name, settings) in cases)
            Assert.AreEqual(name, Assert.ThrowsExactly<ArgumentOutOfRangeException>(settings.Validate).ParamName);
    }

    [TestMethod]
    public void TheEstimatorDecomposesRefitsAndDistilsAndTheSavedModelScoresInOnnxRuntime()
    {
        var mlContext = new MLContext(seed: 0);
        var training = FashionImages.LoadTraining(mlContext, 1000);
        var test = FashionImages.Load(mlContext, 1000);
        var options = new HybridCompressionOptions
        {
            TargetCompressionRatio = 10,
            CalibrationRows = 200,
            LabelColumnName = "Label",
            // One thread: libtorch's multi-threaded reductions made the figure vary from run to run (0.733 to above 0.75).
            // A fifth of the rows held back: the best iterate is picked on them, and on 50 rows (the default 5 %) that
            // pick was off by up to 0.08 on the test rows.
            FineTuning = new DistillationFineTuning { Epochs = 4, Threads = 1, ValidationFraction = 0.2 },
        };

        using var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path("lenet5-fashion.onnx"), options).Fit(training);

        StringAssert.StartsWith(transformer.Report.FineTuning, "knowledge distillation from the original model");
        Assert.IsGreaterThan(9.5, transformer.Report.CompressionRatio);
        // ML.NET scores through ONNX Runtime only; the same figure from a plain InferenceSession on the saved bytes.
        double mlnet = Accuracy(mlContext, transformer, test);
        var (testSamples, testLabels) = FashionSubset.Test(1000);
        string path = Path.Combine(Path.GetTempPath(), $"distilled-{Guid.NewGuid():N}.onnx");
        try
        {
            transformer.SaveCompressedModel(path);
            double onnxRuntime = ClassifierAccuracy.Measure(OnnxModel.Load(path), testSamples, testLabels);
            Assert.AreEqual(mlnet, onnxRuntime, 1e-9);
            // Measured 0.791–0.798 over five runs, layer-wise 0.774 (libtorch is not bit-reproducible here even on one thread): the distilled
            // model must keep what the layer-wise fit alone reaches, up to what its best-iterate choice on ~200
            // held-back rows can miss on 1,000 others, and be far from chance (0.1) — a broken path scores near it.
            options.FineTuning = null;
            using var layerWise = mlContext.Transforms.CompressHybrid(TestModels.Path("lenet5-fashion.onnx"), options).Fit(training);
            double before = Accuracy(mlContext, layerWise, test);
            Assert.IsGreaterThan(before - 0.03, onnxRuntime, $"layer-wise {before}, distilled {onnxRuntime}");
            Assert.IsGreaterThan(0.65, onnxRuntime, $"accuracy {onnxRuntime}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Accuracy(MLContext mlContext, ITransformer scorer, IDataView data)
    {
        var logits = mlContext.Data.CreateEnumerable<LogitsRow>(scorer.Transform(data), reuseRowObject: false).Select(row => row.Logits);
        var labels = data.GetColumn<float>("Label").ToArray();
        return logits.Zip(labels).Count(pair => Array.IndexOf(pair.First, pair.First.Max()) == (int)pair.Second) / (double)labels.Length;
    }
}

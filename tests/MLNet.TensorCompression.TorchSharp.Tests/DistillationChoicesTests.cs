using MLNet.TensorCompression.Onnx;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>The distillation choices: which weights train, cached teacher outputs, and the thread count of a run.</summary>
[TestClass]
public sealed class DistillationChoicesTests
{
    private static readonly OnnxModel LeNet = OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));

    // Rank 8 leaves LeNet's small first convolution dense (its kernel is too small to compress).
    private static OnnxModel Compressed() => CompressedSamples.Get("lenet5-fashion.onnx", new CompressionOptions { MaxRank = 8 });

    [TestMethod]
    [DataRow(TrainableParameters.All)]
    [DataRow(TrainableParameters.CompressedOnly)]
    public void LayersLeftDenseTrainOnlyWhenAllWeightsTrain(TrainableParameters trainable)
    {
        var (train, labels) = FashionSubset.Training(256);
        var compressed = Compressed();
        var factorInputs = OnnxTorchGraph.CompressedLayerInputs(compressed.Proto);
        var denseWeights = compressed.Graph.Initializer.Where(t => t.DataType == 1 && !factorInputs.Contains(t.Name)).ToArray();
        Assert.IsNotEmpty(denseWeights, "the compressed LeNet must keep a dense layer for this test to mean anything");

        // No held-back rows: the last step is kept, whatever validation would have preferred.
        var outcome = new DistillationFineTuning { MaxSteps = 3, BatchSize = 64, ValidationFraction = 0, TrainableParameters = trainable, LearningRate = 1e-2 }
            .Run(new FineTuningRequest(LeNet, compressed, train, labels));

        var changed = denseWeights.Where(t => !t.Equals(outcome.Model.Graph.Initializer.Single(u => u.Name == t.Name))).Select(t => t.Name).ToArray();
        if (trainable == TrainableParameters.All)
            Assert.HasCount(denseWeights.Length, changed, $"every dense weight must train; unchanged: {string.Join(", ", denseWeights.Select(t => t.Name).Except(changed))}");
        else
            Assert.IsEmpty(changed, $"dense weights must stay frozen; changed: {string.Join(", ", changed)}");
        StringAssert.Contains(outcome.Summary, trainable == TrainableParameters.All ? "every weight trained" : "compressed layers' factors and biases trained");
    }

    [TestMethod]
    public void CachedTeacherOutputsEqualTheTeachersForward()
    {
        var (samples, _) = FashionSubset.Training(250);
        using var cached = TeacherOutputs.Compute(LeNet, samples, [LeNet.Graph.Output[0].Name]).Single();
        using var teacher = OnnxTorchGraph.Create(LeNet, trainFactors: false);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var forward = teacher.Forward(tensor(samples.Data, [samples.Count, .. samples.SampleShape]));

        CollectionAssert.AreEqual(forward.shape, cached.shape);
        double scale = Math.Max(1, forward.abs().max().item<float>());
        double difference = (forward - cached).abs().max().item<float>();
        // ONNX Runtime and libtorch sum in different orders: a few float32 ulps of the logits' scale, no more.
        Assert.IsLessThanOrEqualTo(1e-5 * scale, difference, $"max |cached - forward| = {difference:G3} at scale {scale:G3}");
    }

    [TestMethod]
    public void CachingTheTeacherTrainsAsRunningItPerStepDoes()
    {
        var (train, labels) = FashionSubset.Training(300);
        OnnxModel Tuned(bool cache) => new DistillationFineTuning { MaxSteps = 4, BatchSize = 32, CacheTeacherOutputs = cache }
            .Run(new FineTuningRequest(LeNet, Compressed(), train, labels, Seed: 5)).Model;
        var cached = Tuned(cache: true);
        var perStep = Tuned(cache: false);

        int compared = 0;
        foreach (var weight in Compressed().Graph.Initializer.Where(t => t.DataType == 1))
        {
            var a = cached.GetInitializer(weight.Name).Data.ToArray();
            var b = perStep.GetInitializer(weight.Name).Data.ToArray();
            double scale = Math.Max(1e-3, a.Max(Math.Abs));
            Assert.IsLessThanOrEqualTo(1e-3 * scale, a.Zip(b, (x, y) => Math.Abs(x - y)).Max(), weight.Name);
            compared++;
        }
        Assert.IsGreaterThan(0, compared);
    }

    [TestMethod]
    public void ARunUsesItsThreadCountAndPutsThePreviousOneBack()
    {
        var (train, labels) = FashionSubset.Training(100);
        int before = get_num_threads(), during = 0;
        int wanted = before == 1 ? 2 : 1;
        new DistillationFineTuning { MaxSteps = 1, Threads = wanted }
            .Run(new FineTuningRequest(LeNet, Compressed(), train, labels, Progress: _ => during = get_num_threads()));
        Assert.AreEqual(wanted, during, "threads while training");
        Assert.AreEqual(before, get_num_threads(), "threads after the run");
    }
}

using MLNet.TensorCompression.Onnx;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>
/// Distillation of outputs that are not class scores: feature vectors ([N,C,1,1]), per-position scores ([N,T,C]) and
/// two outputs at once, with the loss chosen from each output's shape; the distilled student must end closer to the
/// teacher, on rows it did not train on, than the compressed one started.
/// </summary>
[TestClass]
public sealed class DistillationOutputKindsTests
{
    private const int TrainingRows = 256;
    private const int TestRows = 128;

    [TestMethod]
    public void TheAutomaticLossFollowsTheOutputsShape()
    {
        Assert.AreEqual(DistillationLossKind.LogitsKL, DistilledOutput.Resolve(DistillationLossKind.Auto, [1, 10]));
        Assert.AreEqual(DistillationLossKind.PositionKL, DistilledOutput.Resolve(DistillationLossKind.Auto, [1, 25, 97]));
        Assert.AreEqual(DistillationLossKind.FeatureMse, DistilledOutput.Resolve(DistillationLossKind.Auto, [1, 512, 1, 1]));
        Assert.AreEqual(DistillationLossKind.FeatureMse, DistilledOutput.Resolve(DistillationLossKind.Auto, [1, 64, 7, 7]));
        Assert.AreEqual(DistillationLossKind.FeatureMse, DistilledOutput.Resolve(DistillationLossKind.Auto, [1]));
        Assert.AreEqual(DistillationLossKind.FeatureCosine, DistilledOutput.Resolve(DistillationLossKind.FeatureCosine, [1, 10]), "a chosen kind is kept");
    }

    [TestMethod]
    [DataRow(DistillationLossKind.Auto, "relative MSE")]
    [DataRow(DistillationLossKind.FeatureCosine, "1 − cosine")]
    public void AFeaturizerEndsCloserToTheOriginalsFeatures(DistillationLossKind kind, string lossDescription)
    {
        var original = DistilledOutputModels.Featurizer();
        var (before, after, summary) = Distil(original, kind, outputs: null);

        StringAssert.Contains(summary, lossDescription);
        StringAssert.Contains(summary, "distillation loss");
        var (b, a) = (before["features"], after["features"]);
        Assert.IsGreaterThan(0.05, b.CosineDistance, $"rank 2 must lose something for the test to mean anything ({b})");
        // Each loss halves what it measures; the cosine ignores scale, so only the MSE one must also halve the MSE.
        Assert.IsLessThan(b.CosineDistance / 2, a.CosineDistance, $"1 - mean cosine: {b} -> {a}");
        if (kind == DistillationLossKind.Auto) Assert.IsLessThan(b.RelativeMse / 2, a.RelativeMse, $"relative MSE: {b} -> {a}");
    }

    [TestMethod]
    public void ASequenceModelsPerPositionScoresEndCloserToTheOriginals()
    {
        var (before, after, summary) = Distil(DistilledOutputModels.Sequence(), DistillationLossKind.Auto, outputs: null);

        StringAssert.Contains(summary, "KL(T = 4) per position");
        var (b, a) = (before["scores"], after["scores"]);
        Assert.IsGreaterThan(0.05, b.PositionKL, $"rank 2 must lose something for the test to mean anything ({b})");
        Assert.IsLessThan(b.PositionKL / 2, a.PositionKL, $"per-position KL at T = 1: {b} -> {a}");
    }

    [TestMethod]
    public void EveryOutputOfATwoOutputModelIsDistilled()
    {
        var original = DistilledOutputModels.Featurizer(withClassifierHead: true);
        var (before, after, summary) = Distil(original, DistillationLossKind.Auto, outputs: null);

        StringAssert.Contains(summary, "relative MSE on 'features' + KL(T = 4) on 'y'");
        foreach (var output in new[] { "features", "y" })
            Assert.IsLessThan(before[output].RelativeMse / 2, after[output].RelativeMse, $"{output}: {before[output]} -> {after[output]}");
    }

    [TestMethod]
    public void NamedOutputsAreTheOnlyOnesDistilledAndUnknownOnesAreNamed()
    {
        var original = DistilledOutputModels.Featurizer(withClassifierHead: true);
        var (_, _, summary) = Distil(original, DistillationLossKind.Auto, outputs: ["y"]);
        StringAssert.Contains(summary, "KL(T = 4), no labels");

        var compressed = OnnxModelCompressor.Compress(original, DistilledOutputModels.Lossy()).Model;
        var error = Assert.ThrowsExactly<ArgumentException>(() => new DistillationFineTuning { MaxSteps = 1, Outputs = ["logits"] }
            .Run(new FineTuningRequest(original, compressed, DistilledOutputModels.Samples(16, seed: 1), Labels: null)));
        StringAssert.Contains(error.Message, "'logits'");
        StringAssert.Contains(error.Message, "'features', 'y'");
    }

    /// <summary>Compresses <paramref name="original"/> lossily, distils it, and measures every output against the original's on unseen rows, before and after.</summary>
    private static (Dictionary<string, Distance> Before, Dictionary<string, Distance> After, string Summary)
        Distil(OnnxModel original, DistillationLossKind kind, IReadOnlyList<string>? outputs)
    {
        var compressed = OnnxModelCompressor.Compress(original, DistilledOutputModels.Lossy()).Model;
        Assert.IsNotEmpty(OnnxTorchGraph.CompressedLayerInputs(compressed.Proto), "some layer must be factorised");
        var settings = new DistillationFineTuning { Epochs = 24, BatchSize = 32, LearningRate = 1e-2, LossKind = kind, Outputs = outputs, Threads = 1 };
        var outcome = settings.Run(new FineTuningRequest(original, compressed, DistilledOutputModels.Samples(TrainingRows, seed: 40), Labels: null));
        var test = DistilledOutputModels.Samples(TestRows, seed: 41);
        var (before, after) = (Distances(original, compressed, test), Distances(original, outcome.Model, test));
        foreach (var name in before.Keys) Console.WriteLine($"{name}: {before[name]} -> {after[name]}");
        return (before, after, outcome.Summary);
    }

    /// <summary>Per output of the original, how far the student's is from it.</summary>
    private static Dictionary<string, Distance> Distances(OnnxModel original, OnnxModel student, CalibrationSet rows)
    {
        var names = original.Graph.Output.Select(o => o.Name).ToArray();
        using var teacherGraph = OnnxTorchGraph.Create(original, trainFactors: false, names);
        using var studentGraph = OnnxTorchGraph.Create(student, trainFactors: false, names);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(rows.Data, [rows.Count, .. rows.SampleShape]);
        var expected = teacherGraph.ForwardOutputs(input);
        var actual = studentGraph.ForwardOutputs(input);
        return names.Select((name, i) => (name, distance: new Distance(
                DistillationLoss.Of(DistillationLossKind.FeatureMse, actual[i], expected[i], 1).item<float>(),
                DistillationLoss.Of(DistillationLossKind.FeatureCosine, actual[i], expected[i], 1).item<float>(),
                DistillationLoss.Of(DistillationLossKind.PositionKL, actual[i], expected[i], 1).item<float>())))
            .ToDictionary(p => p.name, p => p.distance);
    }

    /// <summary>A student output's distance from the teacher's: relative MSE, 1 − mean row cosine, and KL over the last axis at T = 1.</summary>
    private sealed record Distance(double RelativeMse, double CosineDistance, double PositionKL)
    {
        public override string ToString() => FormattableString.Invariant($"(relative MSE {RelativeMse:G3}, 1 - cosine {CosineDistance:G3}, KL {PositionKL:G3})");
    }
}

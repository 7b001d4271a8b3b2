using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Onnx;

/// <summary>
/// Checks the I/O layer on the trained sample models under samples/models. Inconclusive while
/// none are checked in, so it needs no change when they arrive.
/// </summary>
[TestClass]
public sealed class SampleModelTests
{
    [TestMethod]
    public void EverySampleModelLoadsSavesAndScoresLikeTheOriginalFile()
    {
        var samples = TestModels.All();
        if (samples.Count == 0)
        {
            Assert.Inconclusive($"No sample models in '{TestModels.Directory}'.");
        }

        using var directory = new TemporaryDirectory();
        foreach (var sample in samples)
        {
            var model = OnnxModel.Load(sample);
            var copy = directory.File(Path.GetFileName(sample));
            model.Save(copy);

            var (input, shape) = DeterministicInput(model.Graph);
            var expected = OrtScoring.Run(sample, input, shape);
            CollectionAssert.AreEqual(expected, OrtScoring.Run(model.ToBytes(), input, shape), sample);
            CollectionAssert.AreEqual(expected, OrtScoring.Run(copy, input, shape), sample);
        }
    }

    /// <summary>An input for the graph's only non-initializer input, with symbolic dimensions set to 1.</summary>
    private static (float[] Data, long[] Shape) DeterministicInput(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var input = graph.Input.Single(v => !initializers.Contains(v.Name));
        var shape = input.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue : 1L).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        return (Enumerable.Range(0, count).Select(k => MathF.Sin(0.37f * k)).ToArray(), shape);
    }
}

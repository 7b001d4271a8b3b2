using Microsoft.ML;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>How the estimator hands its data to a <see cref="FineTuning"/> and uses what comes back.</summary>
[TestClass]
public sealed class FineTuningSeamTests
{
    private static readonly string LeNet = TestModels.Path("lenet5-fashion.onnx");

    /// <summary>What the estimator's copy of a <see cref="RecordingFineTuning"/> saw and did.</summary>
    private sealed class Recording
    {
        public FineTuningRequest? Request { get; set; }
        public string? ChangedTensor { get; set; }
    }

    /// <summary>
    /// Records the request and returns the compressed model with one bias shifted, so the tests can see the returned model
    /// is the one used. The estimator runs a copy of its options' instance; the copy shares the recording.
    /// </summary>
    private sealed class RecordingFineTuning(Recording recording) : FineTuning
    {
        public override FineTuningOutcome Run(FineTuningRequest request)
        {
            recording.Request = request;
            var model = request.Compressed.Clone();
            var bias = model.Graph.Initializer.Last(t => t.Dims.Count == 1 && t.DataType == 1);
            var data = FloatTensorProto.Read(bias);
            for (int i = 0; i < data.Data.Length; i++) data.Data[i] += 5;
            model.Graph.Initializer[model.Graph.Initializer.IndexOf(bias)] = data.ToTensorProto();
            recording.ChangedTensor = bias.Name;
            return new FineTuningOutcome(model, "recorded");
        }
    }

    [TestMethod]
    public void FitPassesEveryRowWithLabelsAndScoresWithTheTunedModel()
    {
        var mlContext = new MLContext();
        var fineTuning = new Recording();
        var options = new HybridCompressionOptions { CalibrationRows = 0, MaxRank = 8, LabelColumnName = "Label", FineTuning = new RecordingFineTuning(fineTuning), Seed = 7 };

        using var transformer = mlContext.Transforms.CompressHybrid(LeNet, options).Fit(FashionImages.Load(mlContext, 40));

        var request = fineTuning.Request!;
        Assert.AreEqual(40, request.Samples.Count);
        CollectionAssert.AreEqual(FashionImages.Take(40).Select(i => (int)i.Label).ToArray(), request.Labels!.ToArray());
        CollectionAssert.AreEqual(FashionImages.Pixels(40), request.Samples.Data);
        Assert.AreEqual(7, request.Seed);
        Assert.AreEqual(OnnxModel.Load(LeNet).ParameterCount, request.Original.ParameterCount, "the teacher is the original model");
        Assert.IsLessThan(request.Original.ParameterCount, request.Compressed.ParameterCount);

        Assert.AreEqual("recorded", transformer.Report.FineTuning);
        var scored = transformer.GetCompressedModel();
        Assert.AreEqual(FloatTensorProto.Read(request.Compressed.Graph.Initializer.Single(t => t.Name == fineTuning.ChangedTensor)).Data[0] + 5,
            FloatTensorProto.Read(scored.Graph.Initializer.Single(t => t.Name == fineTuning.ChangedTensor)).Data[0], 1e-6);
        StringAssert.Contains(scored.Proto.MetadataProps.Single(p => p.Key == CompressionReport.MetadataKey).Value, "recorded");
    }

    [TestMethod]
    public void MaxRowsLimitsTheRowsAndNoLabelColumnMeansNoLabels()
    {
        var mlContext = new MLContext();
        var fineTuning = new Recording();
        var options = new HybridCompressionOptions { CalibrationRows = 0, MaxRank = 8, FineTuning = new RecordingFineTuning(fineTuning) { MaxRows = 12 } };

        using var transformer = mlContext.Transforms.CompressHybrid(LeNet, options).Fit(FashionImages.Load(mlContext, 40));

        Assert.AreEqual(12, fineTuning.Request!.Samples.Count);
        Assert.IsNull(fineTuning.Request.Labels);
    }

    [TestMethod]
    public void FineTuningNeedsRowsAndValidSettings()
    {
        var mlContext = new MLContext();
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<FashionImage>());
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { CalibrationRows = 0, FineTuning = new RecordingFineTuning(new Recording()) });
        var error = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(empty));
        Assert.Contains("FineTuning is set but the input has no rows", error.Message);

        var invalid = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { FineTuning = new RecordingFineTuning(new Recording()) { MaxRows = 0 } }));
        Assert.AreEqual("MaxRows", invalid.ParamName);
    }
}

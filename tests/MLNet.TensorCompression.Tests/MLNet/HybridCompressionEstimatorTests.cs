using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>The estimator before and around compression: schemas, column errors, empty data, and the data-aware seam.</summary>
[TestClass]
public sealed class HybridCompressionEstimatorTests
{
    private static readonly string LeNet = TestModels.Path("lenet5-fashion.onnx");

    private sealed class PixelsOnly
    {
        [VectorType(1, 1, 28, 28)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class TenValues
    {
        [ColumnName("input")]
        [VectorType(10)]
        public float[] Input { get; set; } = [];
    }

    private sealed class DoubleInput
    {
        [ColumnName("input")]
        [VectorType(784)]
        public double[] Input { get; set; } = [];
    }

    [TestMethod]
    public void OutputSchemaIsKnownBeforeFitting()
    {
        var mlContext = new MLContext();
        var estimator = mlContext.Transforms.CompressHybrid(LeNet);

        var output = estimator.GetOutputSchema(SchemaShapes.Of(FashionImages.Load(mlContext, 1).Schema));

        var logits = output.Single(c => c.Name == "logits");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, logits.Kind);
        Assert.AreEqual(NumberDataViewType.Single, logits.ItemType);
        Assert.IsTrue(output.Any(c => c.Name == "input") && output.Any(c => c.Name == "Label"), "input columns pass through");
    }

    [TestMethod]
    public void MissingInputColumnIsNamedBeforeAndAtFit()
    {
        var mlContext = new MLContext();
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { CalibrationRows = 0 });
        var data = mlContext.Data.LoadFromEnumerable(new[] { new PixelsOnly { Pixels = new float[784] } });

        var beforeFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.Of(data.Schema)));
        Assert.Contains("input column 'input'", beforeFit.Message);
        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("input column 'input'", atFit.Message);
    }

    [TestMethod]
    public void WrongVectorSizeIsNamedAtFitBeforeCompressing()
    {
        var mlContext = new MLContext();
        var progress = new List<string>();
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { CalibrationRows = 0, Progress = progress.Add });
        var data = mlContext.Data.LoadFromEnumerable(new[] { new TenValues { Input = new float[10] } });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.AreEqual("input", error.ParamName);
        Assert.Contains("input column 'input'", error.Message);
        Assert.Contains("784 values per row", error.Message);
        Assert.Contains("Vector<Single, 10>", error.Message);
        Assert.IsEmpty(progress, "nothing was compressed");
    }

    [TestMethod]
    public void WrongItemTypeGetsMLNetsSchemaError()
    {
        var mlContext = new MLContext();
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { CalibrationRows = 0 });
        var data = mlContext.Data.LoadFromEnumerable(new[] { new DoubleInput { Input = new double[784] } });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("Schema mismatch for input column 'input'", error.Message);
        Assert.Contains("Double", error.Message);
    }

    [TestMethod]
    public void ColumnNamesMustBeTheModelsTensors()
    {
        var transforms = new MLContext().Transforms;
        var output = Assert.ThrowsExactly<ArgumentException>(() => transforms.CompressHybrid("scores", "input", LeNet));
        Assert.AreEqual("outputColumnNames", output.ParamName);
        Assert.Contains("'scores' is not an output of the model; its outputs are ['logits']", output.Message);

        var input = Assert.ThrowsExactly<ArgumentException>(() => transforms.CompressHybrid("logits", "pixels", LeNet));
        Assert.Contains("'pixels' is not an input of the model; its inputs are ['input']", input.Message);

        var none = Assert.ThrowsExactly<ArgumentException>(() => transforms.CompressHybrid(["logits"], [], LeNet));
        Assert.Contains("No input column names", none.Message);
    }

    [TestMethod]
    public void CalibrationOnEmptyDataIsAClearErrorAndDataFreeNeedsNoRows()
    {
        var mlContext = new MLContext();
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<FashionImage>());

        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.CompressHybrid(LeNet).Fit(empty));
        Assert.AreEqual("input", error.ParamName);
        Assert.Contains("CalibrationRows = 1000 but the input has no rows", error.Message);

        using var transformer = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { CalibrationRows = 0, MaxRank = 4 }).Fit(empty);
        Assert.AreEqual("none: CalibrationRows = 0, data-free.", transformer.Report.Calibration);
    }

    [TestMethod]
    public void MissingLabelColumnIsNamedWhenCalibrationReadsIt()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 3);
        var options = new HybridCompressionOptions { MaxAccuracyDrop = 0.01, LabelColumnName = "Class" };
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, options);

        Assert.Contains("label column 'Class'", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(SchemaShapes.Of(data.Schema))).Message);
        Assert.Contains("label column 'Class'", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data)).Message);
    }

    [TestMethod]
    public void CalibrationRowsReFitTheFactorsAndTheReportSaysSo()
    {
        var mlContext = new MLContext();
        var calibration = FashionImages.LoadTraining(mlContext, 300);
        var options = new HybridCompressionOptions
        {
            TargetCompressionRatio = 5, CalibrationRows = 300, Refit = new RefitOptions { Steps = 150 },
        };
        using var aware = mlContext.Transforms.CompressHybrid(LeNet, options).Fit(calibration);
        using var free = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { TargetCompressionRatio = 5, CalibrationRows = 0 }).Fit(calibration);

        var note = aware.Report.Calibration!;
        Assert.StartsWith("layer-wise re-fit on 300 rows of 'input'", note);
        var stored = CompressionReport.FromJson(aware.GetCompressedModel().Proto.MetadataProps.Single(p => p.Key == CompressionReport.MetadataKey).Value);
        Assert.AreEqual(note, stored.Calibration, "the model's embedded report says so too");
        Assert.AreEqual(free.Report.ModelParametersAfter, aware.Report.ModelParametersAfter, "same size");
        double awareAccuracy = TestAccuracy(aware), freeAccuracy = TestAccuracy(free);
        // Measured (split layout, the default): 0.807 data-free, 0.888 data-aware.
        Assert.IsGreaterThan(freeAccuracy + 0.05, awareAccuracy, $"data-free {freeAccuracy}, data-aware {awareAccuracy} on the 2,000 test images");
    }

    [TestMethod]
    public void TooFewRowsForCalibrationAreAClearError()
    {
        var mlContext = new MLContext();
        var estimator = mlContext.Transforms.CompressHybrid(LeNet, new HybridCompressionOptions { MaxRank = 4 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(FashionImages.LoadTraining(mlContext, 3)));
        Assert.Contains("needs at least 10 rows; the input has 3", error.Message);
        Assert.AreEqual("CalibrationRows", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new HybridCompressionOptions { CalibrationRows = 5 }.Validate()).ParamName);
    }

    [TestMethod]
    public void AccuracyAwareSearchKeepsTheLargestRatioWithinTheDropAndTracesEveryTry()
    {
        var mlContext = new MLContext();
        var options = new HybridCompressionOptions
        {
            CalibrationRows = 300, MaxAccuracyDrop = 0.05, LabelColumnName = "Label", Refit = new RefitOptions { Steps = 100 },
        };
        using var transformer = mlContext.Transforms.CompressHybrid(LeNet, options).Fit(FashionImages.LoadTraining(mlContext, 600));

        var trace = transformer.Report.AccuracySearch!;
        Assert.IsGreaterThanOrEqualTo(2, trace.Count, "a search, not a single try");
        var kept = trace.Where(s => s.WithinDrop).MaxBy(s => s.CompressionRatio)!;
        Assert.IsNotNull(kept, "some ratio stays within 5 points");
        Assert.AreEqual(kept.CompressionRatio, transformer.Report.CompressionRatio, 1e-9);
        Assert.AreEqual(kept.Parameters, transformer.Report.ModelParametersAfter);
        Assert.IsTrue(trace.Where(s => !s.WithinDrop).All(s => s.TargetRatio > kept.TargetRatio), "every failing try asked for more than the kept one");
        Assert.Contains("Accuracy-aware search over target ratios, scored on 300 held-back rows", transformer.Report.Calibration!);
        Assert.Contains("tried target", transformer.Report.ToMarkdown());
    }

    private static double TestAccuracy(HybridCompressionTransformer transformer)
    {
        var images = FashionImages.Take();
        return ClassifierAccuracy.Measure(transformer.GetCompressedModel(), new CalibrationSet("input", [1, 28, 28], FashionImages.Pixels(images.Length)), images.Select(i => (int)i.Label).ToArray());
    }

    [TestMethod]
    public void DataAwareFittingGetsTheDataAndAPrivateCopyOfTheOptions()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 5);
        var options = new HybridCompressionOptions { MaxRank = 4, CalibrationRows = 12, Seed = 42, LabelColumnName = "Label" };
        IDataView? seenData = null;
        HybridCompressionOptions? seenOptions = null;
        CompressionResult FakeCalibration(OnnxModel model, IDataView calibrationData, HybridCompressionOptions calibration, Action<string>? progress)
        {
            (seenData, seenOptions) = (calibrationData, calibration);
            var result = OnnxModelCompressor.Compress(model, calibration, progress);
            return result with { Report = result.Report with { Calibration = "fake: 3 rows" } };
        }

        var estimator = new HybridCompressionEstimator(mlContext.Transforms, OnnxModel.Load(LeNet), null, null, options, FakeCalibration);
        options.CalibrationRows = 0;
        using var transformer = estimator.Fit(data);

        Assert.AreSame(data, seenData);
        Assert.IsNotNull(seenOptions);
        Assert.AreNotSame(options, seenOptions);
        Assert.AreEqual(12, seenOptions.CalibrationRows, "the estimator kept the options it was created with");
        Assert.AreEqual(42, seenOptions.Seed);
        Assert.AreEqual("fake: 3 rows", transformer.Report.Calibration);
    }

    [TestMethod]
    public void DataFreeFitDoesNotCallDataAwareFitting()
    {
        var mlContext = new MLContext();
        CompressionResult MustNotRun(OnnxModel model, IDataView data, HybridCompressionOptions options, Action<string>? progress) =>
            throw new AssertFailedException("data-aware fitting ran with CalibrationRows = 0");
        var estimator = new HybridCompressionEstimator(mlContext.Transforms, OnnxModel.Load(LeNet), null, null, new HybridCompressionOptions { CalibrationRows = 0, MaxRank = 4 }, MustNotRun);

        using var transformer = estimator.Fit(FashionImages.Load(mlContext, 2));
        Assert.AreEqual("none: CalibrationRows = 0, data-free.", transformer.Report.Calibration);
    }

    [TestMethod]
    public void ModelFromAStreamIsReadAtConstruction()
    {
        var mlContext = new MLContext();
        HybridCompressionEstimator estimator;
        using (var stream = File.OpenRead(LeNet))
            estimator = mlContext.Transforms.CompressHybrid(["logits"], ["input"], stream, new HybridCompressionOptions { CalibrationRows = 0, MaxRank = 4 });

        using var transformer = estimator.Fit(FashionImages.Load(mlContext, 2));
        Assert.IsTrue(transformer.Report.Layers.Any(l => l.Format != "dense"));
    }
}

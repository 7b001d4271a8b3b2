using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.MLNet;

/// <summary>Scoring through ML.NET with the compressed sample models: equal to ONNX Runtime, saved and loaded, concurrent, evaluated.</summary>
[TestClass]
public sealed class HybridCompressionTransformerTests
{
    private const string LeNet = "lenet5-fashion.onnx";
    private const string Vgg = "vgg-fashion.onnx";
    private const int Classes = 10;

    private sealed class ScoredImage
    {
        [VectorType(Classes)]
        public float[] Score { get; set; } = [];

        [KeyType(Classes)]
        public uint PredictedLabel { get; set; }
    }

    private sealed class Logits
    {
        [ColumnName("logits")]
        [VectorType(Classes)]
        public float[] Values { get; set; } = [];
    }

    [TestMethod]
    [DataRow(LeNet, 2000)]
    [DataRow(Vgg, 300)]
    public void MLNetScoresLikeOnnxRuntimeOnTheCompressedModel(string sample, int images)
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, images);
        using var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path(sample), new HybridCompressionOptions { MaxRank = 16, CalibrationRows = 0 }).Fit(data);
        Assert.IsGreaterThan(1.0, transformer.Report.CompressionRatio);

        var scored = ReadLogits(mlContext, transformer.Transform(data));
        var expected = OrtScoring.Run(transformer.GetCompressedModel().ToBytes(), FashionImages.Pixels(images), [images, 1, 28, 28]);

        Assert.HasCount(expected.Length, scored);
        Assert.IsLessThan(1e-5, MaxAbsoluteDifference(expected, scored));
    }

    [TestMethod]
    public void SavedModelLoadsAsMLNetsOnnxTransformerAndScoresIdentically()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 200);
        using var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), new HybridCompressionOptions { MaxRank = 8, CalibrationRows = 0 }).Fit(data);
        var before = ReadLogits(mlContext, transformer.Transform(data));

        using var zip = new MemoryStream();
        mlContext.Model.Save(transformer, data.Schema, zip);

        var freshContext = new MLContext();
        zip.Position = 0;
        var loaded = freshContext.Model.Load(zip, out var inputSchema);
        Assert.IsInstanceOfType<OnnxTransformer>(loaded);
        Assert.AreEqual("input", inputSchema[0].Name);
        var after = ReadLogits(freshContext, loaded.Transform(FashionImages.Load(freshContext, 200)));
        CollectionAssert.AreEqual(before, after);
        Assert.IsFalse(MentionsThisLibrary(zip.ToArray()), "the saved model names no type or assembly of this library");
    }

    [TestMethod]
    public void SavedPipelineWithTheTransformerInsideLoadsAndScores()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 50);
        var pipeline = mlContext.Transforms.CopyColumns("Pixels", "input")
            .Append(mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), new HybridCompressionOptions { MaxRank = 8, CalibrationRows = 0 }));
        var model = pipeline.Fit(data);
        var before = ReadLogits(mlContext, model.Transform(data));

        using var zip = new MemoryStream();
        mlContext.Model.Save(model, data.Schema, zip);
        zip.Position = 0;
        var loaded = new MLContext().Model.Load(zip, out _);

        Assert.IsInstanceOfType<OnnxTransformer>(((TransformerChain<ITransformer>)loaded).LastTransformer);
        CollectionAssert.AreEqual(before, ReadLogits(mlContext, loaded.Transform(data)));
    }

    [TestMethod]
    public void OneTransformerScoresCorrectlyFromFourThreads()
    {
        const int threads = 4, imagesPerThread = 100;
        var mlContext = new MLContext();
        var images = FashionImages.Take(threads * imagesPerThread);
        var data = mlContext.Data.LoadFromEnumerable(images);
        using var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), new HybridCompressionOptions { MaxRank = 8, CalibrationRows = 0 }).Fit(data);
        var expected = OrtScoring.Run(transformer.GetCompressedModel().ToBytes(), FashionImages.Pixels(images.Length), [images.Length, 1, 28, 28]);

        using var start = new Barrier(threads);
        var results = new float[threads][];
        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            // Half the threads use their own prediction engine, half call Transform on the shared transformer.
            var mine = images.Skip(t * imagesPerThread).Take(imagesPerThread).ToArray();
            start.SignalAndWait();
            if (t % 2 == 0)
            {
                // An engine disposes its transformer unless told it does not own it; this one is shared.
                using var engine = mlContext.Model.CreatePredictionEngine<FashionImage, LogitsRow>(transformer, new PredictionEngineOptions { OwnsTransformer = false });
                results[t] = mine.SelectMany(image => engine.Predict(image).Logits).ToArray();
            }
            else
            {
                results[t] = ReadLogits(mlContext, transformer.Transform(mlContext.Data.LoadFromEnumerable(mine)));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);

        for (int t = 0; t < threads; t++)
            Assert.IsLessThan(1e-5, MaxAbsoluteDifference(expected.AsSpan(t * imagesPerThread * Classes, imagesPerThread * Classes).ToArray(), results[t]), $"thread {t}");
    }

    [TestMethod]
    public void ScoringAfterDisposalIsAClearError()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 2);
        var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), new HybridCompressionOptions { MaxRank = 4, CalibrationRows = 0 }).Fit(data);
        using (var engine = mlContext.Model.CreatePredictionEngine<FashionImage, LogitsRow>(transformer))
            Assert.HasCount(Classes, engine.Predict(FashionImages.Take(1)[0]).Logits);

        // ML.NET's default: the engine owned the transformer and disposed it.
        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => mlContext.Model.CreatePredictionEngine<FashionImage, LogitsRow>(transformer));
        Assert.Contains("PredictionEngineOptions.OwnsTransformer = false", error.Message);
        Assert.ThrowsExactly<ObjectDisposedException>(() => transformer.Transform(data));
    }

    [TestMethod]
    public void SavedCompressedModelIsTheOneThatScores()
    {
        using var directory = new TemporaryDirectory();
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext, 20);
        using var transformer = mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), new HybridCompressionOptions { MaxRank = 4, CalibrationRows = 0 }).Fit(data);

        var path = directory.File("lenet-small.onnx");
        transformer.SaveCompressedModel(path);

        Assert.IsLessThan(1e-5, MaxAbsoluteDifference(OrtScoring.Run(path, FashionImages.Pixels(20), [20, 1, 28, 28]), ReadLogits(mlContext, transformer.Transform(data))));
        Assert.AreEqual(transformer.Report.ModelParametersAfter, OnnxModel.Load(path).ParameterCount);
        CollectionAssert.AreEqual(new[] { "lenet-small.onnx" }, directory.FileNames(), "no temporary file is left behind");
    }

    [TestMethod]
    public void MulticlassEvaluationOfFullRankLeNetGivesTheRecordedAccuracy()
    {
        var mlContext = new MLContext();
        var data = FashionImages.Load(mlContext);
        var options = new HybridCompressionOptions { MaxRank = 10_000, MinimumLayerParameters = 0, CalibrationRows = 0 };
        // ML.NET's evaluator wants a Score vector and a key-typed PredictedLabel; the model gives logits, so map them.
        var pipeline = mlContext.Transforms.CompressHybrid(TestModels.Path(LeNet), options)
            .Append(mlContext.Transforms.CustomMapping<Logits, ScoredImage>(ScoreFromLogits, contractName: null));

        var scored = pipeline.Fit(data).Transform(data);
        var metrics = mlContext.MulticlassClassification.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score", predictedLabelColumnName: "PredictedLabel");

        Assert.AreEqual(0.917, metrics.MicroAccuracy, 0.002);
    }

    private static void ScoreFromLogits(Logits logits, ScoredImage scored)
    {
        scored.Score = logits.Values;
        int best = 0;
        for (int k = 1; k < Classes; k++)
            if (logits.Values[k] > logits.Values[best]) best = k;
        scored.PredictedLabel = (uint)best + 1; // keys count from 1
    }

    private static float[] ReadLogits(MLContext mlContext, IDataView scored) =>
        mlContext.Data.CreateEnumerable<LogitsRow>(scored, reuseRowObject: false).SelectMany(row => row.Logits).ToArray();

    private static double MaxAbsoluteDifference(float[] expected, float[] actual) =>
        expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();

    /// <summary>True when an entry of the saved zip holds this library's assembly name (a loader reference would).</summary>
    private static bool MentionsThisLibrary(byte[] zipBytes)
    {
        var name = Encoding.UTF8.GetBytes(typeof(HybridCompressionEstimator).Assembly.GetName().Name!);
        using var archive = new ZipArchive(new MemoryStream(zipBytes));
        foreach (var entry in archive.Entries)
        {
            using var content = new MemoryStream();
            using (var stream = entry.Open()) stream.CopyTo(content);
            if (content.ToArray().AsSpan().IndexOf(name) >= 0) return true;
        }
        return false;
    }
}

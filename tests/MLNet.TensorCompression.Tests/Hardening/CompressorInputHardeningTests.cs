using Google.Protobuf;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Hardening;

/// <summary>
/// The compressor on unusual but legal variants of the LeNet sample: other opsets and IR versions, no declared shapes,
/// initializers listed as graph inputs, bad output paths and non-finite weights.
/// </summary>
[TestClass]
public sealed class CompressorInputHardeningTests
{
    private const int Batch = 3;
    private static readonly long[] InputShape = [Batch, 1, 28, 28];

    private static CompressionOptions Options() =>
        new() { MaxRank = 8, MinimumLayerParameters = 1000, ExecutionMode = LayerExecutionMode.Factorized, Inline = false };

    private static OnnxModel LeNet() => OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));

    private static readonly Lazy<(CompressionResult Result, float[] Logits)> Reference = new(() =>
    {
        var result = OnnxModelCompressor.Compress(LeNet(), Options());
        return (result, OrtScoring.Run(result.Model.ToBytes(), SampleInput(), InputShape));
    });

    private static float[] SampleInput() =>
        Enumerable.Range(0, Batch * 784).Select(i => 0.5f + 0.5f * MathF.Sin(0.017f * i * i % 89)).ToArray();

    private static long DefaultOpset(OnnxModel model) => model.Proto.OpsetImport.Single(o => o.Domain == "").Version;

    private static void AssertScoresLikeReference(OnnxModel compressed)
    {
        var logits = OrtScoring.Run(compressed.ToBytes(), SampleInput(), InputShape);
        Assert.IsLessThan(1e-5, OnnxModelCompressorTests.RelativeDistance(Reference.Value.Logits, logits));
    }

    // ---- 1. opsets and IR versions ----

    // Opset 9 is left out: ONNX Runtime rejects the unchanged (uncompressed) LeNet at opset 9 — "InvalidGraph ... Unrecognized
    // attribute: ceil_mode for operator MaxPool" (ceil_mode arrived in MaxPool-10) — so there is nothing to compare with.
    // Opsets 11 and 13 are in OldOpsetsCompressToTheSameLogits below.
    [TestMethod]
    [DataRow(15L)]
    [DataRow(17L)]
    [DataRow(19L)]
    [DataRow(21L)]
    public void OtherOpsetsCompressToTheSameLogits(long opset)
    {
        var model = LeNet();
        model.Proto.OpsetImport.Single(o => o.Domain == "").Version = opset;
        var result = OnnxModelCompressor.Compress(model, Options());
        Assert.AreEqual(opset, DefaultOpset(result.Model), "the default-domain opset is unchanged");
        Assert.IsGreaterThanOrEqualTo(10L, result.Model.Proto.IrVersion);
        CollectionAssert.AreEqual(Reference.Value.Result.Report.Layers.Select(l => l.Ranks is null ? "" : string.Join("-", l.Ranks)).ToArray(),
            result.Report.Layers.Select(l => l.Ranks is null ? "" : string.Join("-", l.Ranks)).ToArray(), "same ranks");
        AssertScoresLikeReference(result.Model);
    }

    /// <summary>
    /// Opsets 11 and 13: the unchanged LeNet runs in ONNX Runtime there, and so must its compressed form — ONNX Runtime
    /// checks function bodies against the model's opset, so the bodies may only use ops as old opsets define them
    /// (this caught Shape's start/end attributes, which need opset 15).
    /// </summary>
    [TestMethod]
    [DataRow(11L)]
    [DataRow(13L)]
    public void OldOpsetsCompressToTheSameLogits(long opset)
    {
        var model = LeNet();
        model.Proto.OpsetImport.Single(o => o.Domain == "").Version = opset;
        var original = OrtScoring.Run(model.ToBytes(), SampleInput(), InputShape);
        Assert.HasCount(Batch * 10, original);
        var result = OnnxModelCompressor.Compress(model, Options());
        Assert.AreEqual(opset, DefaultOpset(result.Model));
        AssertScoresLikeReference(result.Model);
    }

    /// <summary>The uncompressed LeNet at opsets 11 and 13 runs in ONNX Runtime: the failure above is the compressor's.</summary>
    [TestMethod]
    [DataRow(11L)]
    [DataRow(13L)]
    public void OldOpsetsRunUncompressed(long opset)
    {
        var model = LeNet();
        var reference = OrtScoring.Run(model.ToBytes(), SampleInput(), InputShape);
        model.Proto.OpsetImport.Single(o => o.Domain == "").Version = opset;
        Assert.IsLessThan(1e-6, OnnxModelCompressorTests.RelativeDistance(reference, OrtScoring.Run(model.ToBytes(), SampleInput(), InputShape)));
    }

    [TestMethod]
    [DataRow(7L)]
    [DataRow(8L)]
    [DataRow(9L)]
    [DataRow(10L)]
    public void OtherIrVersionsCompressToTheSameLogits(long irVersion)
    {
        var model = LeNet();
        model.Proto.IrVersion = irVersion;
        var result = OnnxModelCompressor.Compress(model, Options());
        Assert.IsGreaterThanOrEqualTo(10L, result.Model.Proto.IrVersion);
        Assert.AreEqual(17L, DefaultOpset(result.Model));
        AssertScoresLikeReference(result.Model);
    }

    /// <summary>
    /// IR 3–6 with opset 17 is an inconsistent model (IR 3–6 predate opset 17). The compressor writes IR ≥ 10 anyway,
    /// so either it refuses with a documented exception or the output runs; anything else is a bug.
    /// </summary>
    [TestMethod]
    [DataRow(3L)]
    [DataRow(4L)]
    [DataRow(5L)]
    [DataRow(6L)]
    public void OldIrVersionsEitherWorkOrFailCleanly(long irVersion)
    {
        var model = LeNet();
        model.Proto.IrVersion = irVersion;
        CompressionResult result;
        try
        {
            result = OnnxModelCompressor.Compress(model, Options());
        }
        catch (Exception e) when (e is OnnxModelException or ArgumentException)
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(e.Message));
            return;
        }
        Assert.IsGreaterThanOrEqualTo(10L, result.Model.Proto.IrVersion);
        AssertScoresLikeReference(result.Model);
    }

    // ---- 2. no shapes declared ----

    [TestMethod]
    public void ModelWithoutValueInfoOrOutputShapeGetsTheOutputShapeBack()
    {
        var model = LeNet();
        model.Graph.ValueInfo.Clear();
        var logits = model.Graph.Output.Single();
        Assert.AreEqual("logits", logits.Name);
        logits.Type.TensorType.Shape = null;
        Assert.IsNull(logits.Type.TensorType.Shape);

        var result = OnnxModelCompressor.Compress(model, Options());
        var shape = result.Model.Graph.Output.Single(o => o.Name == "logits").Type.TensorType.Shape;
        Assert.IsNotNull(shape, "logits declares a shape again");
        Assert.HasCount(2, shape.Dim);
        Assert.AreEqual(TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, shape.Dim[0].ValueCase, "symbolic batch");
        Assert.AreEqual(10L, shape.Dim[1].DimValue);
        Assert.IsTrue(result.Report.Layers.Where(l => l.Format != "dense").All(l => l.MacsBefore is > 0), "the shape probe ran");
        AssertScoresLikeReference(result.Model);
    }

    [TestMethod]
    public void ModelWithoutAnyShapeStillCompressesAndRuns()
    {
        var model = LeNet();
        model.Graph.ValueInfo.Clear();
        model.Graph.Output.Single().Type.TensorType.Shape = null;
        model.Graph.Input.Single(i => i.Name == "input").Type.TensorType.Shape = null;

        var result = OnnxModelCompressor.Compress(model, Options());
        Assert.IsTrue(result.Report.Layers.Any(l => l.Format != "dense"), "layers were still compressed");
        // Without an input shape the probe cannot run: convolutions' MACs are unknown, a Gemm is applied once per sample
        // whatever the shapes, and the output's shape cannot be measured, so it stays undeclared.
        Assert.IsTrue(result.Report.Layers.Where(l => l.OpType == "Conv").All(l => l.MacsBefore is null), "Conv MACs unknown");
        foreach (var gemm in result.Report.Layers.Where(l => l.OpType == "Gemm"))
            Assert.AreEqual(gemm.WeightShape.Aggregate(1L, (a, b) => a * b), gemm.MacsBefore, gemm.Name);
        Assert.IsNull(result.Model.Graph.Output.Single().Type.TensorType.Shape);
        AssertScoresLikeReference(result.Model);
    }

    // ---- 3. initializers listed as graph inputs ----

    /// <summary>
    /// Initializers listed as inputs (IR ≥ 4: overridable) keep their layers dense — compressed, feeding them would change
    /// nothing (issue 13 item 7) — unless an override names the layer; then it compresses as usual and its input goes.
    /// </summary>
    [TestMethod]
    public void InitializersListedAsInputsKeepTheirLayersDenseUnlessOverridden()
    {
        var model = LeNet();
        foreach (var initializer in model.Graph.Initializer)
        {
            var shape = new TensorShapeProto();
            foreach (var d in initializer.Dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            model.Graph.Input.Add(new ValueInfoProto
            {
                Name = initializer.Name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = initializer.DataType, Shape = shape } },
            });
        }
        Assert.IsGreaterThan(5, model.Graph.Input.Count);

        var kept = OnnxModelCompressor.Compress(model, Options());
        var compressedBefore = Reference.Value.Result.Report.Layers.Where(l => l.Format != "dense").Select(l => l.Name).ToHashSet();
        Assert.IsTrue(kept.Report.Layers.All(l => l.Format == "dense" && (!compressedBefore.Contains(l.Name) || l.Note!.Contains("is also a graph input", StringComparison.Ordinal))),
            string.Join("; ", kept.Report.Layers.Select(l => $"{l.Name}: {l.Format} {l.Note}")));

        var options = Options();
        foreach (var layer in Reference.Value.Result.Report.Layers.Where(l => l.Format != "dense"))
            options.LayerOverrides.Add(new LayerOverride(layer.Name, layer.Format == "TT" ? LayerFormat.TensorTrain : LayerFormat.HierarchicalTucker));
        var result = OnnxModelCompressor.Compress(model, options);
        CollectionAssert.AreEqual(Reference.Value.Result.Report.Layers.Select(l => l.Name + ":" + l.Format).ToArray(),
            result.Report.Layers.Select(l => l.Name + ":" + l.Format).ToArray());
        var initializers = result.Model.Graph.Initializer.Select(t => t.Name).ToHashSet();
        Assert.IsTrue(result.Model.Graph.Input.All(i => i.Name == "input" || initializers.Contains(i.Name)),
            "every listed input other than 'input' still has an initializer: " + string.Join(", ", result.Model.Graph.Input.Select(i => i.Name)));
        AssertScoresLikeReference(result.Model);
    }

    // ---- 4. output path problems ----
    // The tests run as root, so a read-only directory (chmod) would not make the write fail; these cases do not rely on permissions.

    [TestMethod]
    public void OutputInAMissingDirectoryThrowsAndWritesNothing()
    {
        using var directory = new TemporaryDirectory();
        var input = directory.File("in.onnx");
        File.Copy(TestModels.Path("lenet5-fashion.onnx"), input);
        var before = File.ReadAllBytes(input);
        var output = Path.Combine(directory.Path, "missing", "out.onnx");

        var error = Assert.Throws<IOException>(() => OnnxModelCompressor.Compress(input, output, Options()));
        Assert.IsNotNull(error);
        Assert.IsFalse(Directory.Exists(Path.Combine(directory.Path, "missing")));
        CollectionAssert.AreEqual(new[] { "in.onnx" }, directory.FileNames());
        Assert.IsEmpty(Directory.GetDirectories(directory.Path));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(input));
    }

    [TestMethod]
    public void OutputThatIsADirectoryThrowsAndLeavesItUnchanged()
    {
        using var directory = new TemporaryDirectory();
        var input = directory.File("in.onnx");
        File.Copy(TestModels.Path("lenet5-fashion.onnx"), input);
        var before = File.ReadAllBytes(input);
        var output = directory.File("out.onnx");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "keep");

        var error = Assert.Throws<Exception>(() => OnnxModelCompressor.Compress(input, output, Options()));
        Assert.IsTrue(error is IOException or UnauthorizedAccessException or ArgumentException, error.GetType().FullName + ": " + error.Message);
        Assert.IsTrue(Directory.Exists(output));
        CollectionAssert.AreEqual(new[] { "keep.txt" }, Directory.GetFileSystemEntries(output).Select(Path.GetFileName).ToArray());
        Assert.AreEqual("keep", File.ReadAllText(Path.Combine(output, "keep.txt")));
        CollectionAssert.AreEqual(new[] { "in.onnx" }, directory.FileNames(), "no temporary file left behind");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(input));
    }

    // ---- 5. non-finite weights ----

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteWeightIsNamedByNodeAndTensor(float bad)
    {
        var model = LeNet();
        var layer = Reference.Value.Result.Report.Layers.First(l => l.Format != "dense");
        var node = model.Graph.Node.Single(n => n.Name == layer.Name);
        var weightName = node.Input[1];
        var weight = model.Graph.Initializer.Single(t => t.Name == weightName);
        if (weight.RawData.Length > 0)
        {
            var bytes = weight.RawData.ToByteArray();
            BitConverter.GetBytes(bad).CopyTo(bytes, 4 * 7);
            weight.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            weight.FloatData[7] = bad;
        }

        var error = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelCompressor.Compress(model, Options()));
        Assert.Contains(node.Name, error.Message);
        Assert.Contains(weightName, error.Message);
    }
}

using Google.Protobuf;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using MLNet.TensorCompression.Tests.Decomposition;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Emission;

[TestClass]
public sealed class FactorizedLayerEmitterTests
{
    private static readonly Dictionary<string, Func<FactorizedWeight>> OneOfEachOp = new()
    {
        ["TTLinear"] = () => RandomLayers.TensorTrainLinear(41, [2, 2, 5], [2, 3, 2], [1, 3, 4, 1], new LinearOptions()),
        ["TTLinear_left"] = () => RandomLayers.TensorTrainLinear(42, [2, 3], [5, 7], [1, 4, 1], new LinearOptions(WeightOnLeft: true)),
        ["HTLinear_gemm"] = () => RandomLayers.HierarchicalTuckerLinear(43, [2, 3, 2, 2], [3, 2, 2, 2], "((0,1),(2,3))", 3, new LinearOptions(OpType: "Gemm")),
        ["TTConv"] = () => RandomLayers.TensorTrainConv(44, [2, 5], [2, 3], 3, 3, [1, 4, 3, 1], ConvCase.StridedPadded()),
        ["HTConv"] = () => RandomLayers.HierarchicalTuckerConv(45, [2, 3, 2], [2, 2, 2], 3, 3, "((0,1),(2,3))", 3, ConvCase.Dilated()),
    };

    public static IEnumerable<object[]> OpsAndForms =>
        from name in OneOfEachOp.Keys from inline in new[] { false, true } select new object[] { name, inline };

    [TestMethod]
    [DynamicData(nameof(OpsAndForms))]
    public void ReconstructedRebuildIsFoldedIntoOneInitializerAtSessionLoad(string opName, bool inline)
    {
        var weight = OneOfEachOp[opName]();
        using var directory = new TemporaryDirectory();
        var optimizedPath = directory.File("optimized.onnx");
        var (model, x, shape) = SingleLayerModel(weight, LayerExecutionMode.Reconstructed, inline);

        LayerScoring.Run(model.ToByteArray(), x, shape, optimizedPath);

        var optimized = OnnxModel.Load(optimizedPath);
        var opTypes = optimized.Graph.Node.Select(n => n.OpType).ToArray();
        // One dense op is left (ORT fuses a 2-D MatMul and its bias Add into a Gemm).
        string[] denseOps = weight.Layer.Kind == LayerKind.Convolution ? ["Conv"] : ["Gemm", "MatMul"];
        var nonAdd = opTypes.Where(op => op != "Add").ToArray();
        Assert.HasCount(1, nonAdd, string.Join(" ", opTypes));
        CollectionAssert.Contains(denseOps, nonAdd[0]);
        Assert.IsEmpty(optimized.Proto.Functions);
        var folded = optimized.Graph.Initializer.Where(i => i.Dims.Aggregate(1L, (a, b) => a * b) == weight.Layer.WeightCount).ToArray();
        Assert.HasCount(1, folded, string.Join(" ", optimized.Graph.Initializer.Select(i => i.Name)));
        Assert.IsFalse(optimized.Graph.Initializer.Any(i => i.Name.Contains("/core") || i.Name.Contains("/leaf") || i.Name.Contains("/transfer")));
    }

    [TestMethod]
    [DynamicData(nameof(OpsAndForms))]
    public void SavedModelReloadsAndScoresTheSame(string opName, bool inline)
    {
        var weight = OneOfEachOp[opName]();
        using var directory = new TemporaryDirectory();
        var path = directory.File("factorized.onnx");
        var (model, x, shape) = SingleLayerModel(weight, LayerExecutionMode.Factorized, inline);
        var before = LayerScoring.Run(model, x, shape).Values;

        new OnnxModel(model).Save(path);
        var reloaded = OnnxModel.Load(path);

        CollectionAssert.AreEqual(before, LayerScoring.Run(reloaded.ToBytes(), x, shape, null).Values);
        Assert.AreEqual(model, reloaded.Proto);
    }

    [TestMethod]
    [DynamicData(nameof(OpsAndForms))]
    public void FactorizedAndReconstructedAgree(string opName, bool inline)
    {
        var weight = OneOfEachOp[opName]();
        var (factorized, x, shape) = SingleLayerModel(weight, LayerExecutionMode.Factorized, inline);
        var (reconstructed, _, _) = SingleLayerModel(weight, LayerExecutionMode.Reconstructed, inline);

        var a = LayerScoring.Run(factorized, x, shape);
        var b = LayerScoring.Run(reconstructed, x, shape);

        CollectionAssert.AreEqual(b.Shape, a.Shape);
        Assert.IsLessThan(1e-5, LayerScoring.RelativeError(b.Values, a.Values));
    }

    [TestMethod]
    public void LayersOfTheSameStructureShareOneFunctionAndChainCorrectly()
    {
        // 35 → 6 → 2, both TT with d = 2, both cheaper left to right: one body, different sizes in the node attributes.
        var first = RandomLayers.TensorTrainLinear(51, [2, 3], [5, 7], [1, 4, 1], new LinearOptions { OutputName = "hidden" });
        var second = RandomLayers.TensorTrainLinear(52, [1, 2], [2, 3], [1, 2, 1], new LinearOptions { InputName = "hidden" });
        var firstEmission = FactorizedLayerEmitter.Emit(first, LayerExecutionMode.Factorized, inline: false, "fc1");
        var secondEmission = FactorizedLayerEmitter.Emit(second, LayerExecutionMode.Factorized, inline: false, "fc2");

        Assert.AreEqual("d2_ltr_bias", firstEmission.Functions.Single().Overload);
        Assert.AreEqual(firstEmission.Functions.Single(), secondEmission.Functions.Single());
        var model = LayerModels.Wrap([(firstEmission, first.Layer), (secondEmission, second.Layer)], [null, 35], [null, 2]);
        Assert.HasCount(1, model.Functions);
        var x = LayerScoring.Input(seed: 3, 4 * 35);
        var expected = DenseReference.WeightOnRight(second, DenseReference.WeightOnRight(first, x));

        var (actual, _) = LayerScoring.Run(model, x, [4, 35]);

        Assert.IsLessThan(1e-4, LayerScoring.RelativeError(expected, actual));
    }

    [TestMethod]
    public void InlineLayersWithTheSameStructureKeepTheirNamesApart()
    {
        var first = RandomLayers.HierarchicalTuckerLinear(53, [2, 3, 2], [3, 2, 2], "((0,1),2)", 3, new LinearOptions { OutputName = "hidden" });
        var second = RandomLayers.HierarchicalTuckerLinear(54, [2, 2, 2], [2, 3, 2], "((0,1),2)", 2, new LinearOptions { InputName = "hidden" });
        var model = LayerModels.Wrap(
            [(FactorizedLayerEmitter.Emit(first, LayerExecutionMode.Factorized, inline: true, "fc1"), first.Layer),
             (FactorizedLayerEmitter.Emit(second, LayerExecutionMode.Factorized, inline: true, "fc2"), second.Layer)],
            [null, 12], [null, 8]);
        var names = model.Graph.Node.SelectMany(n => n.Output).Concat(model.Graph.Initializer.Select(i => i.Name)).ToArray();
        Assert.HasCount(names.Length, names.Distinct());
        var x = LayerScoring.Input(seed: 4, 5 * 12);
        var expected = DenseReference.WeightOnRight(second, DenseReference.WeightOnRight(first, x));

        var (actual, _) = LayerScoring.Run(model, x, [5, 12]);

        Assert.IsLessThan(1e-4, LayerScoring.RelativeError(expected, actual));
    }

    [TestMethod]
    public void EqualOverloadsMeanEqualBodies()
    {
        // Layers of a few structures at different sizes and ranks: wherever two get the same overload, the caller keeps
        // one of their functions, so the bodies must be identical.
        var weights = new[]
        {
            RandomLayers.TensorTrainLinear(61, [2, 3], [5, 7], [1, 4, 1], new LinearOptions()),
            RandomLayers.TensorTrainLinear(62, [1, 2], [2, 3], [1, 2, 1], new LinearOptions()),
            RandomLayers.TensorTrainLinear(63, [4, 4], [4, 4], [1, 3, 1], new LinearOptions()),
            RandomLayers.HierarchicalTuckerLinear(64, [2, 3, 2, 2], [3, 2, 2, 2], "((0,1),(2,3))", 3, new LinearOptions()),
            RandomLayers.HierarchicalTuckerLinear(65, [4, 2, 3, 2], [2, 5, 2, 3], "((0,1),(2,3))", 2, new LinearOptions()),
            RandomLayers.HierarchicalTuckerLinear(66, [3, 3, 2, 2], [3, 3, 2, 2], "((0,1),(2,3))", 4, new LinearOptions()),
            RandomLayers.TensorTrainConv(67, [2, 5], [2, 3], 3, 3, [1, 4, 3, 1], ConvCase.StridedPadded()),
            RandomLayers.TensorTrainConv(68, [4, 4], [2, 8], 1, 1, [1, 1, 5, 1], new ConvOptions()),
            RandomLayers.HierarchicalTuckerConv(69, [2, 5], [2, 3], 3, 3, "((0,1),2)", 3, new ConvOptions()),
            RandomLayers.HierarchicalTuckerConv(70, [4, 4], [4, 2], 1, 1, "((0,1),2)", 2, new ConvOptions()),
        };
        foreach (var mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed })
        {
            var groups = weights.Select(w => FactorizedLayerEmitter.Emit(w, mode, inline: false, "p").Functions.Single())
                .GroupBy(f => (f.Name, f.Overload)).ToArray();
            Assert.IsGreaterThanOrEqualTo(3, groups.Count(g => g.Count() > 1), string.Join(", ", groups.Select(g => $"{g.Key}×{g.Count()}")));
            foreach (var group in groups)
            {
                foreach (var function in group) Assert.AreEqual(group.First(), function, $"{group.Key}");
            }
        }
    }

    [TestMethod]
    public void FactorizedModelsTransposeOnlyInTheTreeSchedule()
    {
        // Counted in the model ONNX Runtime runs: the train schedules' core computations (and a convolution's tiled
        // spatial filters) are folded away.
        int Transposes(FactorizedWeight weight, string expectedSchedule)
        {
            var (model, x, shape) = SingleLayerModel(weight, LayerExecutionMode.Factorized, inline: false);
            StringAssert.Contains(model.Functions.Single().Overload, expectedSchedule, model.Functions.Single().Overload);
            using var directory = new TemporaryDirectory();
            LayerScoring.Run(model.ToByteArray(), x, shape, directory.File("optimized.onnx"));
            var opTypes = OnnxModel.Load(directory.File("optimized.onnx")).Graph.Node.Select(n => n.OpType).ToArray();
            CollectionAssert.DoesNotContain(opTypes, "Tile", "the spatial filters are tiled at session load");
            return opTypes.Count(op => op == "Transpose");
        }

        Assert.AreEqual(0, Transposes(RandomLayers.TensorTrainLinear(71, [2, 3, 2, 2], [3, 2, 2, 2], [1, 2, 3, 2, 1], new LinearOptions()), "d4"));
        Assert.AreEqual(0, Transposes(RandomLayers.TensorTrainConv(72, [2, 3, 2, 2], [2, 2, 2, 2], 3, 3, [1, 3, 2, 3, 2, 1], new ConvOptions()), "d4"));
        Assert.AreEqual(0, Transposes(RandomLayers.HierarchicalTuckerLinear(73, [2, 3, 2, 2], [3, 2, 2, 2], "((0,1),(2,3))", 3, new LinearOptions()), "_ltr"));
        Assert.AreEqual(0, Transposes(RandomLayers.HierarchicalTuckerConv(74, [2, 3, 2], [2, 2, 2], 3, 3, "((0,1),(2,3))", 3, new ConvOptions()), "_train"));
        // Six modes in a balanced tree: boundary 4 is crossed by two edges, so only the tree schedule applies; one
        // Transpose per inner node with an inner child: ((0,1),2), ((3,4),5) and the root.
        var deep = RandomLayers.HierarchicalTuckerLinear(75, [2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2], "(((0,1),2),((3,4),5))", 2, new LinearOptions());
        Assert.AreEqual(3, Transposes(deep, "_tree"));
    }

    [TestMethod]
    public void MacEstimatesMatchAHandCount()
    {
        // TT 35 → 6, modes (2·5)(3·7), ranks (1, 4, 1), 10 applications per sample (e.g. x [B, 10, 35]).
        // Right to left: core 1 [(4·3), (7·1)] on [5, 7, 1] = 5·12·7 = 420; core 0 [(1·2), (5·4)] on [1, 20, 3] = 2·20·3 = 120: 540.
        // Left to right: core 0 [(2·4), (1·5)] on [1, 5, 7] = 8·5·7 = 280; core 1 [(3·1), (4·7)] on [2, 28, 1] = 2·3·28 = 168: 448, chosen.
        var linear = RandomLayers.TensorTrainLinear(81, [2, 3], [5, 7], [1, 4, 1], new LinearOptions(ApplicationsPerSample: 10));
        Assert.AreEqual(4480, FactorizedLayerEmitter.FactorizedMacsPerSample(linear));
        Assert.AreEqual(2100, FactorizedLayerEmitter.ReconstructedMacsPerSample(linear));

        // TT conv 6 → 10, 3×3, C_in = 2·3, C_out = 2·5, ranks (1, 4, 3, 1), output 4×5 pixels.
        // Spatial Conv: C_in·r₁·9 = 216 per pixel. Mode 1 = (c 3, s 5): [(3·5), (3·4)] on [2, 12, 1] = 2·15·12 = 360.
        // Mode 2 = (c 2, s 2): [(1·2), (2·3)] on [1, 6, 5] = 2·6·5 = 60. Per pixel 636, per sample 12720; dense 540·20 = 10800.
        var conv = RandomLayers.TensorTrainConv(82, [2, 5], [2, 3], 3, 3, [1, 4, 3, 1], ConvCase.StridedPadded() with { ApplicationsPerSample = 20 });
        Assert.AreEqual(12720, FactorizedLayerEmitter.FactorizedMacsPerSample(conv));
        Assert.AreEqual(10800, FactorizedLayerEmitter.ReconstructedMacsPerSample(conv));

        // HT 6 → 35 on (0,1), modes (5·2)(7·3), leaf ranks 3 and 3. As a train its bond is leaf 0's rank: core 0 = leaf 0
        // [1, 5·2, 3], core 1 = leaf 1 with the root [3, 7·3, 1]. Right to left: core 1 [(3·7), (3·1)] on [2, 3, 1] (x·Fᵀ)
        // = 2·21·3 = 126; core 0 [(1·5), (2·3)] on [1, 6, 7] = 5·6·7 = 210: 336, ×1 when unknown. (Left to right: 90 + 315;
        // the tree schedule: leaves 90 + 945, root 315.)
        var ht = RandomLayers.HierarchicalTuckerLinear(83, [5, 7], [2, 3], "(0,1)", 3, new LinearOptions());
        Assert.AreEqual(336, FactorizedLayerEmitter.FactorizedMacsPerSample(ht));
        Assert.AreEqual(210, FactorizedLayerEmitter.ReconstructedMacsPerSample(ht));
    }

    [TestMethod]
    public void NodeAttributesDescribeTheFactorisation()
    {
        var weight = RandomLayers.HierarchicalTuckerConv(91, [2, 5], [2, 3], 3, 3, "((0,1),2)", 4, ConvCase.StridedPadded());

        var node = FactorizedLayerEmitter.Emit(weight, LayerExecutionMode.Factorized, inline: false, "conv1").Nodes.Single();

        Assert.AreEqual("HTConv", node.OpType);
        Assert.AreEqual("((0,1),2)_train_bias", node.Overload);
        CollectionAssert.AreEqual(new long[] { 3, 3 }, node.Attribute.Single(a => a.Name == "kernel").Ints.ToArray());
        CollectionAssert.AreEqual(new long[] { 3, 2 }, node.Attribute.Single(a => a.Name == "in_channel_modes").Ints.ToArray());
        CollectionAssert.AreEqual(new long[] { 5, 2 }, node.Attribute.Single(a => a.Name == "out_channel_modes").Ints.ToArray());
        CollectionAssert.AreEqual(weight.Tensor.Ranks.Select(r => (long)r).ToArray(), node.Attribute.Single(a => a.Name == "ranks").Ints.ToArray());
        Assert.AreEqual("((0,1),2)", node.Attribute.Single(a => a.Name == "tree").S.ToStringUtf8());
        CollectionAssert.AreEqual(new long[] { 2, 2 }, node.Attribute.Single(a => a.Name == "strides").Ints.ToArray());
        CollectionAssert.AreEqual(
            new[] { "x", "conv1/transfer0", "conv1/transfer1", "conv1/leaf0", "conv1/leaf1", "conv1/leaf2", "conv1/bias" }, node.Input.ToArray());
    }

    [TestMethod]
    public void DecomposedWeightsMatchTheirReconstruction()
    {
        var random = new Random(101);
        var matrix = Tensorization.ForMatrix(20, 12);
        var linearTensor = RandomTensors.Gaussian(random, 240);
        var train = TensorTrain.Decompose(linearTensor, matrix.ModeSizes, Truncation.ToRank(3));
        var linear = new FactorizedWeight(RandomLayers.Linear(random, matrix, linearTensor, new LinearOptions()), matrix, train.Value, train.RelativeError);

        var kernel = Tensorization.ForConvKernel(10, 6, 3, 3);
        var convTensor = RandomTensors.Gaussian(random, 540);
        var tucker = HierarchicalTucker.Decompose(convTensor, kernel.ModeSizes, null, Truncation.ToRank(4));
        var conv = new FactorizedWeight(RandomLayers.Conv(random, kernel, convTensor, ConvCase.StridedPadded()), kernel, tucker.Value, tucker.RelativeError);

        foreach (var mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed })
        {
            foreach (var inline in new[] { false, true })
            {
                LinearLayout.Named("rows").AssertMatchesDense(linear, mode, inline);
                ConvCase.AssertMatchesDense(conv, mode, inline);
            }
        }
    }

    [TestMethod]
    public void RejectsWhatItCannotEmit()
    {
        var weight = RandomLayers.TensorTrainLinear(111, [2, 3], [5, 7], [1, 4, 1], new LinearOptions());
        var grouped = RandomLayers.TensorTrainConv(112, [2, 5], [2, 3], 3, 3, [1, 4, 3, 1], new ConvOptions { Attributes = [OnnxAttributes.Int("group", 2)] });

        var auto = Assert.ThrowsExactly<ArgumentException>(() => FactorizedLayerEmitter.Emit(weight, LayerExecutionMode.Auto, inline: false, "fc"));
        Assert.ThrowsExactly<ArgumentException>(() => FactorizedLayerEmitter.Emit(weight, LayerExecutionMode.Factorized, inline: false, " "));
        var group = Assert.ThrowsExactly<ArgumentException>(() => FactorizedLayerEmitter.Emit(grouped, LayerExecutionMode.Factorized, inline: true, "conv"));

        StringAssert.Contains(auto.Message, "Auto");
        StringAssert.Contains(group.Message, "'conv'");
        StringAssert.Contains(group.Message, "group");
    }

    private static (ModelProto Model, float[] X, long[] Shape) SingleLayerModel(FactorizedWeight weight, LayerExecutionMode mode, bool inline)
    {
        var layer = weight.Layer;
        var emission = FactorizedLayerEmitter.Emit(weight, mode, inline, EmittedLayers.Prefix);
        (long[] shape, long?[] input, long?[] output) = (layer.Kind, layer.WeightOnLeft) switch
        {
            (LayerKind.Convolution, _) => (new long[] { 2, layer.InputSize, 7, 9 }, new long?[] { null, layer.InputSize, null, null }, new long?[] { null, layer.OutputSize, null, null }),
            (_, true) => ([2, layer.InputSize, 5], [null, layer.InputSize, null], [null, layer.OutputSize, null]),
            _ => ([3, layer.InputSize], [null, layer.InputSize], [null, layer.OutputSize]),
        };
        var x = LayerScoring.Input(seed: 9, shape.Aggregate(1L, (a, b) => a * b));
        return (LayerModels.Wrap(emission, layer, input, output), x, shape);
    }
}

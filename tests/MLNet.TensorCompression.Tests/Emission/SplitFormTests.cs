using Google.Protobuf;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>
/// The split forms end up, after ONNX Runtime's session-load optimisation, as the few dense ops they promise — two
/// MatMul/Gemm for a fully connected layer, three Convs for a convolution — over folded weights of r(M + N) (or
/// r₁·C_in + r₁r₂·kh·kw + r₂·C_out) values, and decomposing a dense weight at full rank in that layout scores like it.
/// </summary>
[TestClass]
public sealed class SplitFormTests
{
    private static readonly Dictionary<string, Func<FactorizedWeight>> OneOfEachOp = new()
    {
        // 12 → 20, split rank 3: run-time weights 3·(20 + 12) = 96 instead of 240.
        ["TTLinear"] = () => RandomLayers.TensorTrainSplitLinear(61, [2, 2, 5], [3, 4], [1, 2, 4, 3, 2, 1], new LinearOptions()),
        ["TTLinear_gemm"] = () => RandomLayers.TensorTrainSplitLinear(62, [2, 2, 5], [3, 4], [1, 2, 4, 3, 2, 1], new LinearOptions(OpType: "Gemm")),
        ["TTLinear_left"] = () => RandomLayers.TensorTrainSplitLinear(63, [2, 2, 5], [3, 4], [1, 2, 4, 3, 2, 1], new LinearOptions(Bias: false, WeightOnLeft: true)), // no [M, 1] bias among the counted weights
        // 6 → 10 3×3, r₁ = 4, r₂ = 3: 4·6 + 4·3·9 + 3·10 = 162 instead of 540.
        ["TTConv"] = () => RandomLayers.TensorTrainSplitConv(64, [2, 5], [2, 3], 3, 3, [1, 2, 4, 3, 2, 1], ConvCase.StridedPadded()),
        // HT, rank 3 on the tree (((0,1),2),(3,4)): the column side's rank 3, so again 3·(20 + 12) = 96.
        ["HTLinear"] = () => RandomLayers.HierarchicalTuckerSplitLinear(65, [2, 2, 5], [3, 4], 3, new LinearOptions()),
        ["HTLinear_gemm"] = () => RandomLayers.HierarchicalTuckerSplitLinear(66, [2, 2, 5], [3, 4], 3, new LinearOptions(OpType: "Gemm")),
        ["HTLinear_left"] = () => RandomLayers.HierarchicalTuckerSplitLinear(67, [2, 2, 5], [3, 4], 3, new LinearOptions(Bias: false, WeightOnLeft: true)),
        // HT, rank 3 on ((0,1),(2,(3,4))): r_b = q = 3, so 3·6 + 3·3·9 + 3·10 = 129.
        ["HTConv"] = () => RandomLayers.HierarchicalTuckerSplitConv(68, [2, 5], [2, 3], 3, 3, 3, ConvCase.StridedPadded()),
    };

    private static readonly Dictionary<string, long> RuntimeWeights = new()
    {
        ["TTLinear"] = 96, ["TTLinear_gemm"] = 96, ["TTLinear_left"] = 96, ["TTConv"] = 162,
        ["HTLinear"] = 96, ["HTLinear_gemm"] = 96, ["HTLinear_left"] = 96, ["HTConv"] = 129,
    };

    public static IEnumerable<object[]> OpsAndForms =>
        from name in OneOfEachOp.Keys from inline in new[] { false, true } select new object[] { name, inline };

    [TestMethod]
    [DynamicData(nameof(OpsAndForms))]
    public void SidesAreFoldedAtSessionLoadIntoAFewDenseOpsOverRankSizedWeights(string opName, bool inline)
    {
        var weight = OneOfEachOp[opName]();
        var layer = weight.Layer;
        var (optimized, _) = RunOptimized(weight, LayerExecutionMode.Factorized, inline, "split_");
        var denseOps = optimized.Graph.Node.Select(n => n.OpType).Where(op => op is "MatMul" or "Gemm" or "Conv").ToArray();
        Assert.HasCount(layer.Kind == LayerKind.Convolution ? 3 : 2, denseOps, string.Join(" ", optimized.Graph.Node.Select(n => n.OpType)));
        Assert.IsEmpty(optimized.Proto.Functions);
        // The factors are folded away, but a TT convolution's spatial core, which is the middle Conv's filters as stored.
        Assert.HasCount(opName == "TTConv" ? 1 : 0, optimized.Graph.Initializer.Where(i => i.Name.Contains("/core") || i.Name.Contains("/leaf") || i.Name.Contains("/transfer")));
        long runtimeWeights = optimized.Graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Float && i.Dims.Count >= 2)
            .Sum(i => i.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.AreEqual(RuntimeWeights[opName], runtimeWeights);
        Assert.AreEqual(runtimeWeights, FactorizedLayerEmitter.RuntimeWeightCount(weight, LayerExecutionMode.Factorized), "what the report counts");
    }

    [TestMethod]
    [DynamicData(nameof(OpsAndForms))]
    public void RebuiltTheSidesFoldIntoTheDenseWeightAloneForTheLayersOwnOp(string opName, bool inline)
    {
        // The Reconstructed form of a split layout: one product makes the weight as the op reads it, so folding holds no
        // weight-sized copies (each costs its size in session memory), and the layer runs its own single op.
        var weight = OneOfEachOp[opName]();
        var layer = weight.Layer;
        var (optimized, actual) = RunOptimized(weight, LayerExecutionMode.Reconstructed, inline, "dense_split_");
        Assert.HasCount(1, optimized.Graph.Node.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv"), string.Join(" ", optimized.Graph.Node.Select(n => n.OpType)));
        var weights = optimized.Graph.Initializer.Where(i => i.DataType == (int)TensorProto.Types.DataType.Float && i.Dims.Count >= 2).ToArray();
        Assert.HasCount(1, weights, string.Join(", ", weights.Select(w => $"{w.Name} [{string.Join(",", w.Dims)}]")));
        Assert.AreEqual(layer.WeightCount, FactorizedLayerEmitter.RuntimeWeightCount(weight, LayerExecutionMode.Reconstructed));
        Assert.IsLessThan(1e-5, LayerScoring.RelativeError(RunOptimized(weight, LayerExecutionMode.Factorized, inline, "split_").Output, actual), "rebuilt runs like the split form");
    }

    /// <summary>
    /// Emits the layer in <paramref name="mode"/> (a function of the overload prefix given, unless inline), scores it and
    /// returns the model as ONNX Runtime optimised it (basic level: folding and inlining) and its output.
    /// </summary>
    private static (OnnxModel Optimized, float[] Output) RunOptimized(FactorizedWeight weight, LayerExecutionMode mode, bool inline, string overloadPrefix)
    {
        var layer = weight.Layer;
        var emission = FactorizedLayerEmitter.Emit(weight, mode, inline, EmittedLayers.Prefix);
        if (!inline) StringAssert.StartsWith(emission.Functions.Single().Overload, overloadPrefix);
        var (shape, input, output) = Shapes(layer);
        using var directory = new TemporaryDirectory();
        var optimizedPath = directory.File("optimized.onnx");
        var (values, _) = LayerScoring.Run(LayerModels.Wrap(emission, layer, input, output).ToByteArray(), LayerScoring.Input(9, shape.Aggregate(1L, (a, b) => a * b)), shape, optimizedPath);
        return (OnnxModel.Load(optimizedPath), values);
    }

    /// <summary>An input shape to score the layer on, and its graph input and output declarations (null: symbolic).</summary>
    private static (long[] Shape, long?[] Input, long?[] Output) Shapes(CompressibleLayer layer) => (layer.Kind, layer.WeightOnLeft) switch
    {
        (LayerKind.Convolution, _) => ([2, layer.InputSize, 7, 9], [null, layer.InputSize, null, null], [null, layer.OutputSize, null, null]),
        (_, true) => ([2, layer.InputSize, 5], [null, layer.InputSize, null], [null, layer.OutputSize, null]),
        _ => ([3, layer.InputSize], [null, layer.InputSize], [null, layer.OutputSize]),
    };

    [TestMethod]
    [DataRow("fc", LayerFormat.TensorTrain, false)]
    [DataRow("fc_gemm", LayerFormat.TensorTrain, true)]
    [DataRow("conv", LayerFormat.TensorTrain, false)]
    [DataRow("conv", LayerFormat.TensorTrain, true)]
    [DataRow("fc", LayerFormat.HierarchicalTucker, false)]
    [DataRow("fc_gemm", LayerFormat.HierarchicalTucker, true)]
    [DataRow("conv", LayerFormat.HierarchicalTucker, false)]
    [DataRow("conv", LayerFormat.HierarchicalTucker, true)]
    public void FullRankSplitDecompositionScoresLikeTheDenseLayer(string kind, LayerFormat format, bool inline)
    {
        // A random dense weight (full rank in every unfolding), decomposed without truncation in the split layout.
        var random = new Random(71);
        bool conv = kind == "conv";
        var tensorization = conv ? Tensorization.ForConvKernelSplit(12, 8, 3, 3) : Tensorization.ForMatrixSplit(20, 24);
        var dense = Enumerable.Range(0, (int)tensorization.ElementCount).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var layer = conv
            ? RandomLayers.Conv(random, tensorization, dense, ConvCase.StridedPadded())
            : RandomLayers.Linear(random, tensorization, dense, new LinearOptions(OpType: kind == "fc_gemm" ? "Gemm" : "MatMul"));
        var weight = LayerDecomposer.Decompose(new LayerPlan(layer, format, tensorization, null, null), Truncation.ToTolerance(0));
        Assert.IsLessThan(1e-12, weight.RelativeError);
        if (format == LayerFormat.HierarchicalTucker) Assert.AreEqual(conv ? "(0,(1,(2,3)))" : "((0,1),(2,3))", weight.Tensor.Tree.ToString(), "the root splits the sides");

        if (conv) ConvCase.AssertMatchesDense(weight, LayerExecutionMode.Factorized, inline);
        else LinearLayout.Named(kind == "fc_gemm" ? "rows_gemm" : "rows").AssertMatchesDense(weight, LayerExecutionMode.Factorized, inline);
    }
}

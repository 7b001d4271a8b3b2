using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Finding;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// Tiny models shaped like the exports users bring: x[N,4,6,6] → Conv conv (8×4×3×3, pads 1) → Relu → Flatten →
/// Gemm fc (6×288) → y[N,6], at any default-domain opset, with variants built by the callers.
/// <para>
/// The weights are sums of <see cref="WeightRank"/> exponentials of a linear function of the element's index, so every
/// unfolding of every tensorisation has rank ≤ <see cref="WeightRank"/>: a factorisation at that rank is exact and still
/// smaller than the weight (a random weight at full rank is not, and would stay dense).
/// </para>
/// </summary>
internal static class ExportModels
{
    public const int Channels = 4;
    public const int Size = 6;
    public const int Filters = 8;
    public const int Classes = 6;

    /// <summary>The rank of every unfolding of the weights.</summary>
    public const int WeightRank = 2;

    /// <summary>Default-domain opsets across the range ONNX Runtime runs (7–21), each one an op-form boundary, as DynamicData rows.</summary>
    public static IEnumerable<object[]> Opsets => new long[] { 7, 8, 9, 11, 13, 21 }.Select(opset => new object[] { opset });

    /// <summary>The conv+gemm model; <paramref name="batch"/> is the input's batch size (<see cref="TestGraph.Batch"/> for symbolic).</summary>
    public static OnnxModel ConvGemm(long opset = 17, long batch = Batch, Func<TestGraph, TestGraph>? configure = null, Action<OnnxModel>? rewire = null)
    {
        var graph = new TestGraph()
            .Input("x", batch, Channels, Size, Size).Output("y")
            .Initializer("conv.weight", [Filters, Channels, 3, 3], LowRank([Filters, Channels, 3, 3]))
            .Initializer("conv.bias", [Filters], Values(Filters, seed: 12))
            .Initializer("fc.weight", [Classes, Filters * Size * Size], LowRank([Classes, Filters * Size * Size]))
            .Initializer("fc.bias", [Classes], Values(Classes, seed: 14))
            .Node("Conv", "conv", ["x", "conv.weight", "conv.bias"], ["c"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu", ["c"], ["r"])
            .Node("Flatten", "flatten", ["r"], ["f"], Int("axis", 1))
            .Node("Gemm", "fc", ["f", "fc.weight", "fc.bias"], ["y"], Int("transB", 1));
        var model = (configure?.Invoke(graph) ?? graph).Build();
        rewire?.Invoke(model);
        model.Proto.OpsetImport.Single(o => o.Domain == "").Version = opset;
        // Exports at the old opsets carry the IR version of their time (CNTK's ResNet-18: IR 3, opset 8).
        model.Proto.IrVersion = opset <= 9 ? 3 : 8;
        return model;
    }

    /// <summary>
    /// The conv+gemm model with an inference BatchNormalization after the Conv (before the Relu); when
    /// <paramref name="convOutputAlsoRead"/>, the Conv's output also feeds an Add after the BN, so folding would be wrong.
    /// </summary>
    public static OnnxModel ConvBatchNormGemm(bool convOutputAlsoRead, bool convBias = true, long opset = 17) => ConvGemm(opset, configure: graph =>
    {
        graph.Initializer("bn.scale", [Filters], Values(Filters, seed: 15).Select(v => 1 + v / 2).ToArray())
            .Initializer("bn.bias", [Filters], Values(Filters, seed: 16))
            .Initializer("bn.mean", [Filters], Values(Filters, seed: 17))
            .Initializer("bn.var", [Filters], Values(Filters, seed: 18).Select(v => 0.5f + v * v).ToArray());
        return graph;
    }, rewire: model =>
    {
        var nodes = model.Graph.Node;
        var conv = nodes.Single(n => n.Name == "conv");
        if (!convBias) conv.Input.RemoveAt(2);
        conv.Output[0] = "c_raw";
        var norm = new NodeProto { OpType = "BatchNormalization", Name = "bn", Input = { "c_raw", "bn.scale", "bn.bias", "bn.mean", "bn.var" }, Output = { convOutputAlsoRead ? "c_norm" : "c" }, Attribute = { Float("epsilon", 1e-3f) } };
        nodes.Insert(nodes.IndexOf(conv) + 1, norm);
        if (convOutputAlsoRead)
            nodes.Insert(nodes.IndexOf(norm) + 1, new NodeProto { OpType = "Add", Name = "skip", Input = { "c_norm", "c_raw" }, Output = { "c" } });
    });

    /// <summary>
    /// A detector-style model with symbolic spatial sizes: x[N,4,H,W] → Conv conv (8×4×3×3, pads 1) → Relu →
    /// GlobalAveragePool → Flatten → Gemm fc (6×8) → y[N,6].
    /// </summary>
    public static OnnxModel DynamicSpatial()
    {
        var graph = new TestGraph()
            .Input("x", Batch, Channels, Batch, Batch).Output("y")
            .Initializer("conv.weight", [Filters, Channels, 3, 3], LowRank([Filters, Channels, 3, 3]))
            .Initializer("conv.bias", [Filters], Values(Filters, seed: 12))
            .Initializer("fc.weight", [Classes, Filters], LowRank([Classes, Filters]))
            .Node("Conv", "conv", ["x", "conv.weight", "conv.bias"], ["c"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1))
            .Node("Relu", "relu", ["c"], ["r"])
            .Node("GlobalAveragePool", "pool", ["r"], ["p"])
            .Node("Flatten", "flatten", ["p"], ["f"], Int("axis", 1))
            .Node("Gemm", "fc", ["f", "fc.weight"], ["y"], Int("transB", 1));
        var model = graph.Build();
        // Symbolic sizes with their own names, as exporters write them.
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        dims[2].DimParam = "H";
        dims[3].DimParam = "W";
        return model;
    }

    /// <summary>
    /// The model with every initializer moved into a Constant node (as paddle2onnx writes them), reached directly or,
    /// when <paramref name="throughIdentity"/>, through an Identity node.
    /// </summary>
    public static OnnxModel WeightsInConstantNodes(OnnxModel model, bool throughIdentity)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var nodes = new List<NodeProto>();
        foreach (var tensor in graph.Initializer)
        {
            var value = tensor.Clone();
            value.Name = "";
            var constantOutput = throughIdentity ? tensor.Name + "_constant" : tensor.Name;
            nodes.Add(new NodeProto { OpType = "Constant", Name = tensor.Name + "_node", Output = { constantOutput }, Attribute = { Tensor("value", value) } });
            if (throughIdentity)
                nodes.Add(new NodeProto { OpType = "Identity", Name = tensor.Name + "_identity", Input = { constantOutput }, Output = { tensor.Name } });
        }
        graph.Initializer.Clear();
        var rest = graph.Node.ToArray();
        graph.Node.Clear();
        graph.Node.AddRange(nodes.Concat(rest));
        return copy;
    }

    /// <summary>Compression of every layer at the weights' full rank (exact up to float rounding).</summary>
    public static CompressionOptions FullRank(LayerExecutionMode mode = LayerExecutionMode.Auto) =>
        new() { MaxRank = WeightRank, MinimumLayerParameters = 0, CompressInputConvolution = true, ExecutionMode = mode };

    /// <summary>
    /// Σₜ cₜ·exp(Σₐ αₜₐ·iₐ) over the axes a: each term is separable in any mixed-radix split of the indices, so the
    /// tensor has rank ≤ <see cref="WeightRank"/> in every format.
    /// </summary>
    public static float[] LowRank(int[] shape)
    {
        double[][] rates = [[0.11, -0.07, 0.05, -0.03], [-0.05, 0.09, -0.06, 0.04]];
        double[] scales = [0.8, -0.6];
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (int flat = 0; flat < values.Length; flat++)
        {
            double value = 0;
            for (int term = 0; term < WeightRank; term++)
            {
                double exponent = 0;
                int rest = flat;
                for (int axis = shape.Length - 1; axis >= 0; axis--)
                {
                    exponent += rates[term][axis] * 4 / shape[axis] * (rest % shape[axis]);
                    rest /= shape[axis];
                }
                value += scales[term] * Math.Exp(exponent);
            }
            values[flat] = (float)value;
        }
        return values;
    }

    /// <summary>Deterministic input for <paramref name="rows"/> samples.</summary>
    public static float[] Input(int rows, int seed = 21) => Values(rows * Channels * Size * Size, seed);

    /// <summary>The input shape for <paramref name="rows"/> samples.</summary>
    public static long[] InputShape(int rows) => [rows, Channels, Size, Size];
}

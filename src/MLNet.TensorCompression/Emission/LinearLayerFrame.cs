using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// What a factorised fully connected op does around its factors, whatever the format: the shape plumbing that lets
/// the factor chain run on an input of any rank, the bias, and — when the weight is rebuilt — the dense Gemm or MatMul.
/// <list type="bullet">
/// <item>y = x·Wᵀ + b: x [..., N] → y [..., M]; the chain's tail is 1, so it reads x directly.</item>
/// <item>y = W·x + b (<see cref="CompressibleLayer.WeightOnLeft"/>): x [..., N, K] → y [..., M, K]; x is viewed as
/// [lead, N, K] and the columns K are the chain's run-time tail, so no transpose is needed on either side.</item>
/// </list>
/// </summary>
internal static class LinearLayerFrame
{
    /// <summary>The chain's starting axes: the input modes n_k (in mode order, the most significant first).</summary>
    public static IReadOnlyList<ChainAxis> InputAxes(Tensorization tensorization) =>
        tensorization.ModeFactors.Select((factors, k) => new ChainAxis(ChainAxis.InputKey(k), factors[1])).ToArray();

    /// <summary>True when the chain has a run-time tail (the columns of x in W·x).</summary>
    public static bool HasDynamicTail(CompressibleLayer layer) => layer.WeightOnLeft;

    /// <summary>Overload suffix naming the frame's variant: <c>_left</c> for W·x, <c>_gemm</c> for a rebuilt Gemm.</summary>
    public static string Variant(CompressibleLayer layer, LayerExecutionMode mode) =>
        layer.WeightOnLeft ? "_left" : mode == LayerExecutionMode.Reconstructed && UsesGemm(layer) ? "_gemm" : "";

    /// <summary>
    /// Node attributes describing the factorisation: <c>in_modes</c> n_k, <c>out_modes</c> m_k, <c>ranks</c> (TT bonds,
    /// or HT nodes in pre-order) and, for HT, the <c>tree</c>; a split layout adds <c>layout</c> = <c>split</c> (its
    /// modes are the m_k, then the n_k).
    /// </summary>
    public static IReadOnlyList<AttributeProto> DescriptiveAttributes(Tensorization tensorization, IReadOnlyList<int> ranks, DimensionTree? tree)
    {
        bool split = tensorization.Layout == TensorLayout.Split;
        int rowModes = tensorization.LeadingModeCount;
        var attributes = new List<AttributeProto>
        {
            OnnxAttributes.Ints("in_modes", split ? tensorization.ModeFactors.Skip(rowModes).Select(f => f[0]) : tensorization.ModeFactors.Select(f => f[1])),
            OnnxAttributes.Ints("out_modes", split ? tensorization.ModeFactors.Take(rowModes).Select(f => f[0]) : tensorization.ModeFactors.Select(f => f[0])),
            OnnxAttributes.Ints("ranks", ranks),
        };
        if (split) attributes.Add(OnnxAttributes.String("layout", "split"));
        if (tree is not null) attributes.Add(OnnxAttributes.String("tree", tree.ToString()));
        return attributes;
    }

    /// <summary>The bias as the body adds it: [M], or [M, 1] for W·x; null when the layer has none.</summary>
    public static FactorTensor? Bias(CompressibleLayer layer) =>
        layer.Bias is null ? null : new FactorTensor("bias", layer.WeightOnLeft ? [layer.OutputSize, 1] : [layer.OutputSize], layer.Bias);

    /// <summary>Writes the factorised layer: the chain between the input and output reshapes, then the bias.</summary>
    public static void EmitFactorized(OpBodyBuilder body, CompressibleLayer layer, ContractionChain chain, OpBodyNames io)
    {
        var x = io.Input;
        var outputSize = body.LayerInts("output_size", [layer.OutputSize]);
        string state, outputShape;
        if (!layer.WeightOnLeft)
        {
            state = chain.Emit(body, x, io.Factor);
            var leading = body.ShapeSlice("leading_dims", x, 0, -1);
            outputShape = body.Node("Concat", "output_shape", [leading, outputSize], OnnxAttributes.Int("axis", 0));
        }
        else
        {
            var columns = body.ShapeSlice("column_dim", x, -1, long.MaxValue);
            var inputShape = body.Node("Concat", "input_shape", [body.LayerInts("input_size", [-1, layer.InputSize]), columns], OnnxAttributes.Int("axis", 0));
            var view = body.Node("Reshape", "input_view", [x, inputShape]);
            state = chain.Emit(body, view, io.Factor);
            var leading = body.ShapeSlice("leading_dims", x, 0, -2);
            outputShape = body.Node("Concat", "output_shape", [leading, outputSize, columns], OnnxAttributes.Int("axis", 0));
        }
        body.NodeToBiasedOutput("Reshape", [state, outputShape], io);
    }

    /// <summary>
    /// Writes the rebuilt layer: the dense tensor in mode order (any shape holding its elements) is reordered into
    /// W [M, N] (or Wᵀ [N, M] for x·Wᵀ through MatMul) and the original op runs on it. Any layout: the reorder is the
    /// tensorization's own.
    /// </summary>
    public static void EmitDense(OpBodyBuilder body, CompressibleLayer layer, Tensorization tensorization, string modeOrderWeight, OpBodyNames io)
    {
        var split = tensorization.FactorShape.Select(f => (long)f).ToArray();
        var splitView = body.Node("Reshape", "weight_split", [modeOrderWeight, body.LayerInts("split_shape", split)]);
        var reordered = body.Node("Transpose", "weight_reordered", [splitView], OnnxAttributes.Ints("perm", DensePermutation(layer, tensorization).Select(a => (long)a)));
        EmitDenseReordered(body, layer, reordered, io);
    }

    /// <summary>The Transpose from the tensor's factor axes (<see cref="Tensorization.FactorShape"/>) to those of W, or of Wᵀ for x·Wᵀ through MatMul.</summary>
    public static int[] DensePermutation(CompressibleLayer layer, Tensorization tensorization) =>
        tensorization.UnfoldPermutation(transposeMatrix: Transposed(layer));

    /// <summary>Writes the original op on the weight given with its factor axes in the op's order (<see cref="DensePermutation"/>).</summary>
    public static void EmitDenseReordered(OpBodyBuilder body, CompressibleLayer layer, string reordered, OpBodyNames io)
    {
        bool gemm = UsesGemm(layer);
        long[] weightShape = Transposed(layer) ? [layer.InputSize, layer.OutputSize] : [layer.OutputSize, layer.InputSize];
        var weight = body.Node("Reshape", "weight", [reordered, body.LayerInts("weight_shape", weightShape)]);

        if (gemm)
        {
            body.NodeTo("Gemm", "output", io.Output, io.Bias is null ? [io.Input, weight] : [io.Input, weight, io.Bias], OnnxAttributes.Int("transB", 1));
            return;
        }
        body.NodeToBiasedOutput("MatMul", layer.WeightOnLeft ? [weight, io.Input] : [io.Input, weight], io);
    }

    // x·Wᵀ through MatMul reads Wᵀ [N, M].
    private static bool Transposed(CompressibleLayer layer) => !layer.WeightOnLeft && !UsesGemm(layer);

    /// <summary>A Gemm layer keeps its Gemm (its input is 2-D by definition); MatMul layers keep MatMul, which takes any rank.</summary>
    public static bool UsesGemm(CompressibleLayer layer) => layer.OpType == "Gemm" && !layer.WeightOnLeft;
}

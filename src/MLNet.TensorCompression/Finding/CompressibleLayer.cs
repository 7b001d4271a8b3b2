using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// A layer of an ONNX graph that can be replaced by a factorised one: its nodes, its activation input and output,
/// and its weight and bias in a canonical layout (whatever form the graph stored them in).
/// </summary>
public sealed record CompressibleLayer
{
    /// <summary>The layer's name: the name of its main node, or that node's first output when the node is unnamed.</summary>
    public required string Name { get; init; }

    /// <summary>Convolution or fully connected.</summary>
    public required LayerKind Kind { get; init; }

    /// <summary>The pattern found, e.g. <c>Conv</c>, <c>Gemm</c>, <c>MatMul</c> or <c>MatMul+Add</c>.</summary>
    public required string OpType { get; init; }

    /// <summary>Name of the activation tensor the layer reads.</summary>
    public required string InputName { get; init; }

    /// <summary>Name of the tensor the layer produces (after a fused bias <c>Add</c>).</summary>
    public required string OutputName { get; init; }

    /// <summary>
    /// The weight in canonical layout: [out, in] for a fully connected layer (y = x·Wᵀ + b, with Gemm's alpha folded in
    /// and any transposition undone), [C_out, C_in, kh, kw] for a convolution.
    /// </summary>
    public required FloatTensorData Weight { get; init; }

    /// <summary>The bias, one value per output (Gemm's beta folded in), or null when the layer has none.</summary>
    public float[]? Bias { get; init; }

    /// <summary>
    /// True for <c>MatMul(W, x)</c>: y = W·x contracts x's second-to-last axis. The factorised op handles it itself
    /// (x [..., N, K] → y [..., M, K], no transposes), so the rewriter replaces the layer like any other. False for
    /// every other pattern.
    /// </summary>
    public bool WeightOnLeft { get; init; }

    /// <summary>A convolution's geometry attributes (strides, pads, dilations, auto_pad), copied from the node; empty otherwise.</summary>
    public IReadOnlyList<AttributeProto> ConvolutionAttributes { get; init; } = [];

    /// <summary>The graph nodes that make up the layer, in graph order; the rewriter replaces all of them.</summary>
    public required IReadOnlyList<NodeProto> Nodes { get; init; }

    /// <summary>Names of the initializers (or Constant/Identity outputs) holding the weight and bias, which may become unused.</summary>
    public required IReadOnlyList<string> ParameterTensorNames { get; init; }

    /// <summary>
    /// How many times per sample the weight is applied: a convolution's output height·width, a fully connected layer's
    /// product of leading non-batch dimensions (1 for a [batch, in] input). Null when the shapes are not known.
    /// </summary>
    public long? ApplicationsPerSample { get; init; }

    /// <summary>
    /// Shape of the activation the layer reads, for one sample (symbolic sizes, the batch typically, measured as 1): what a
    /// one-layer model is timed on. Null when the shapes are not known.
    /// </summary>
    public IReadOnlyList<long>? InputShape { get; init; }

    /// <summary>Output size: C_out or out.</summary>
    public int OutputSize => Weight.Shape[0];

    /// <summary>Input size: C_in or in.</summary>
    public int InputSize => Weight.Shape[1];

    /// <summary>Number of weight values.</summary>
    public long WeightCount => Weight.Data.LongLength;

    /// <summary>Dense multiply-adds per sample (weight count × applications), or null when the shapes are not known.</summary>
    public long? DenseMacsPerSample => ApplicationsPerSample * WeightCount;

    /// <summary>The same layer with another bias (used when data-aware fitting re-fits it).</summary>
    internal CompressibleLayer WithBias(float[] bias) => this with { Bias = bias };
}

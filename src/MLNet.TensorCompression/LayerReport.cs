using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression;

/// <summary>What happened to one layer. Parameter counts are weight values (biases are unchanged and not counted here).</summary>
public sealed record LayerReport
{
    /// <summary>Node name.</summary>
    public required string Name { get; init; }

    /// <summary>The pattern found: Conv, Gemm, MatMul or MatMul+Add.</summary>
    public required string OpType { get; init; }

    /// <summary>"TT", "HT" or "dense".</summary>
    public required string Format { get; init; }

    /// <summary>Weight shape as stored canonically: [out, in] or [C_out, C_in, kh, kw].</summary>
    public required IReadOnlyList<int> WeightShape { get; init; }

    /// <summary>Tensor modes as factor products, e.g. (8·16)(8·14); null when dense.</summary>
    public string? Modes { get; init; }

    /// <summary>HT dimension tree, e.g. ((0,1),2); null otherwise.</summary>
    public string? Tree { get; init; }

    /// <summary>TT ranks r₀…r_d, or HT ranks per tree node (pre-order, root first); null when dense.</summary>
    public IReadOnlyList<int>? Ranks { get; init; }

    /// <summary>Weight values before.</summary>
    public required long ParametersBefore { get; init; }

    /// <summary>Weight values after (the factors' values when factorised).</summary>
    public required long ParametersAfter { get; init; }

    /// <summary>
    /// Weight values the layer holds while it runs, once ONNX Runtime has folded its constants at session load: the dense
    /// weight (dense and Reconstructed), the factors (Factorized), or each side folded (Split: r(M + N) for a fully
    /// connected layer, r₁·C_in + r₁r₂·kh·kw + r₂·C_out for a convolution).
    /// </summary>
    public long RuntimeParameters { get; init; }

    /// <summary>ParametersBefore ÷ ParametersAfter.</summary>
    public double CompressionRatio => ParametersAfter == 0 ? 0 : (double)ParametersBefore / ParametersAfter;

    /// <summary>‖W − Ŵ‖_F / ‖W‖_F (0 when dense).</summary>
    public double RelativeError { get; init; }

    /// <summary>The tolerance the layer was decomposed to, when one was set and no rank cap bound; null otherwise.</summary>
    public double? ErrorBound { get; init; }

    /// <summary>Multiply-adds per sample before, or null when the shapes are unknown.</summary>
    public long? MacsBefore { get; init; }

    /// <summary>Multiply-adds per sample after (of the chosen execution mode), or null when unknown.</summary>
    public long? MacsAfter { get; init; }

    /// <summary>"Factorized", "Split" or "Reconstructed"; null when dense.</summary>
    public string? ExecutionMode { get; init; }

    /// <summary>
    /// ONNX Runtime latency of the dense layer and of the form it runs in, per batch size, measured on the machine that
    /// compressed it (<see cref="CompressionOptions.Objective"/> Latency or Balanced); null when nothing was timed.
    /// </summary>
    public IReadOnlyList<BatchLatency>? Latency { get; init; }

    /// <summary>Why the layer stayed dense, or null.</summary>
    public string? Note { get; init; }
}

namespace MLNet.TensorCompression;

/// <summary>
/// What each compressed layer's layout (<see cref="TensorLayout"/>) and execution form (<see cref="LayerExecutionMode"/>)
/// are chosen for, once the ranks are allocated. <see cref="Latency"/> and <see cref="Balanced"/> time every candidate
/// one-layer model in ONNX Runtime on this machine at <see cref="CompressionOptions.LatencyBatchSizes"/> and never
/// choose a form slower than the dense layer.
/// </summary>
public enum CompressionObjective
{
    /// <summary>
    /// The layout <see cref="CompressionOptions.Layout"/> and the mode <see cref="CompressionOptions.ExecutionMode"/> as
    /// given (Auto decides by counted multiply-adds); nothing is timed. The default.
    /// </summary>
    Size,

    /// <summary>
    /// Per layer, the fastest measured form among: the allocated factorisation run reconstructed or factorised, and the
    /// other layout's factorisation that meets the same constraint (no more parameters under a target ratio, else the
    /// same rank cap and tolerance) run factorised. A form slower than the dense layer (beyond measurement noise) is
    /// never taken; when every form is, the layer stays dense.
    /// </summary>
    Latency,

    /// <summary>
    /// Among the forms <see cref="Latency"/> would accept, the one with the smallest weight error whose latency is
    /// within 10 % of the fastest one's (so an accurate interleaved layer is kept unless another form runs clearly faster).
    /// </summary>
    Balanced,
}

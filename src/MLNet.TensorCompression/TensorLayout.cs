namespace MLNet.TensorCompression;

/// <summary>How a weight's sizes are ordered into tensor modes: what compresses most against what runs fastest.</summary>
public enum TensorLayout
{
    /// <summary>
    /// Row and column factors paired in every mode (Novikov et al. 2015), a kernel's spatial mode first (Garipov et al. 2016):
    /// the most compression for a given error; such layers run best rebuilt (constant-folded at session load).
    /// </summary>
    Interleaved,

    /// <summary>
    /// Output factors, then input factors (a convolution: input-channel factors, kh·kw, output-channel factors), in a tensor
    /// train whose middle bond separates them, or a hierarchical Tucker tree whose root does: the layer runs as two Gemms
    /// N → r → M, or as 1×1 → kh×kw → 1×1 convolutions (each side folded once at session load), with r-sized run-time weights.
    /// The default (<see cref="CompressionOptions.Layout"/>).
    /// </summary>
    Split,
}

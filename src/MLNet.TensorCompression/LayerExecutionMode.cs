namespace MLNet.TensorCompression;

/// <summary>How a compressed layer runs in the output model.</summary>
public enum LayerExecutionMode
{
    /// <summary>
    /// Per layer, whichever of <see cref="Factorized"/> and <see cref="Reconstructed"/> needs fewer multiply-adds (a factor
    /// chain's counted 3x, as its small ops run slower), so a compressed model is never slower than its original by that estimate.
    /// </summary>
    Auto,

    /// <summary>
    /// Run the input through the factors: for the <see cref="TensorLayout.Interleaved"/> layout a chain of small MatMuls (and
    /// a Conv), one contraction at a time; for the <see cref="TensorLayout.Split"/> layout two Gemms (a fully connected layer)
    /// or three Convs (a convolution), each side's factors folded into one matrix at session load.
    /// </summary>
    Factorized,

    /// <summary>Store the factors, rebuild the dense weight from them inside the graph (constant-folded by ONNX Runtime at session load), and run the original op.</summary>
    Reconstructed,
}

namespace MLNet.TensorCompression;

/// <summary>How a compressed layer runs in the output model.</summary>
public enum LayerExecutionMode
{
    /// <summary>Per layer, whichever of <see cref="Factorized"/> and <see cref="Reconstructed"/> needs fewer multiply-adds, so a compressed model is never slower than its original by that estimate.</summary>
    Auto,

    /// <summary>Contract the input through the factors, one small MatMul (or Conv) at a time.</summary>
    Factorized,

    /// <summary>Store the factors, rebuild the dense weight from them inside the graph (constant-folded by ONNX Runtime at session load), and run the original op.</summary>
    Reconstructed,
}

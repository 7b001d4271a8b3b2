namespace MLNet.TensorCompression.Planning;

/// <summary>What a layer runs as in ONNX Runtime, after the session has folded what is constant.</summary>
internal enum ExecutionForm
{
    /// <summary>The original op on the original weight.</summary>
    Dense,

    /// <summary>The original op on the weight rebuilt from the factors.</summary>
    Reconstructed,

    /// <summary>A chain of contractions through the factors of an interleaved layout.</summary>
    Factorized,

    /// <summary>Two Gemms or three Convs over each side of a split layout, folded.</summary>
    Split,
}

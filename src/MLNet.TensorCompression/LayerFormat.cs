using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression;

/// <summary>The format one layer is stored in.</summary>
public enum LayerFormat
{
    /// <summary>Left as it was.</summary>
    Dense,

    /// <summary>Tensor train (TT).</summary>
    TensorTrain,

    /// <summary>Hierarchical Tucker (HT) on a balanced dimension tree.</summary>
    HierarchicalTucker,
}

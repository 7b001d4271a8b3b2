using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression;

/// <summary>Which format each kind of layer gets.</summary>
public enum CompressionPolicy
{
    /// <summary>Convolutions → tensor train, fully connected layers → hierarchical Tucker (Wu et al. 2020). The default.</summary>
    Hybrid,

    /// <summary>Every layer → tensor train.</summary>
    TensorTrain,

    /// <summary>Every layer → hierarchical Tucker.</summary>
    HierarchicalTucker,
}

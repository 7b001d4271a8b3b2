namespace MLNet.TensorCompression.TorchSharp;

/// <summary>Which of the compressed model's weights <see cref="DistillationFineTuning"/> trains.</summary>
public enum TrainableParameters
{
    /// <summary>
    /// Every float weight of the compressed model: the factors and biases of compressed layers and the layers left dense
    /// (e.g. the first convolution and the classifier). Costs a little more per step, since the gradient must also reach
    /// the first layers' inputs and weights.
    /// </summary>
    All,

    /// <summary>Only the factors and biases of compressed layers; every layer left dense keeps the original's weights.</summary>
    CompressedOnly,
}

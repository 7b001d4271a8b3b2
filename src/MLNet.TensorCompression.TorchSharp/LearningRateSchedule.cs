namespace MLNet.TensorCompression.TorchSharp;

/// <summary>How <see cref="DistillationFineTuning"/>'s step size changes over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>Rises linearly over the first 5 % of steps (so Adam's early, noisy moments do not undo the layer-wise fit), then follows a cosine down to zero.</summary>
    WarmupCosine,

    /// <summary>The same step size throughout.</summary>
    Constant,
}

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// How <see cref="DistillationFineTuning"/> compares one of the student's outputs with the teacher's. Every loss is
/// scale-free (about 1 for unrelated outputs, 0 for equal ones), so the losses of several outputs are summed with equal
/// weights.
/// </summary>
public enum DistillationLossKind
{
    /// <summary>
    /// Chosen from the output's shape (batch first): [N, C] → <see cref="LogitsKL"/>; [N, T, C] →
    /// <see cref="PositionKL"/>; anything else — [N], and feature vectors or maps such as [N, C, 1, 1] or [N, C, H, W]
    /// — → <see cref="FeatureMse"/>. A shape cannot tell a classifier's [N, C] scores from [N, C] features, and [N, C]
    /// is how classifiers end, so it is read as scores, labels or not; set <see cref="FeatureMse"/> or
    /// <see cref="FeatureCosine"/> for a featurizer that returns [N, C].
    /// </summary>
    Auto,

    /// <summary>
    /// Class scores: T²·KL(teacher ‖ student) between the softmax at temperature T of each row's values (all of them
    /// after the batch axis), as Hinton et al. 2015; with labels, mixed with the cross-entropy of the true class.
    /// </summary>
    LogitsKL,

    /// <summary>
    /// Per-position class scores, e.g. a CTC text recogniser's [N, T, classes]: T²·KL over the last axis at every
    /// position, averaged over rows and positions. Labels are not used (one class per row does not fit a sequence).
    /// </summary>
    PositionKL,

    /// <summary>
    /// Feature vectors or maps: the mean squared difference divided by the mean square of the teacher's values on the
    /// batch (relative MSE), so it keeps the features' scale as well as their direction.
    /// </summary>
    FeatureMse,

    /// <summary>Feature vectors or maps: 1 − the cosine of each row's values (flattened) with the teacher's, averaged over rows; ignores scale.</summary>
    FeatureCosine,
}

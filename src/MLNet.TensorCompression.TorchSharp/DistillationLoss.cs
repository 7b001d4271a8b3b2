using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>The loss <see cref="DistillationFineTuning"/> minimises.</summary>
internal static class DistillationLoss
{
    /// <summary>
    /// T²·KL(teacher ‖ student) at temperature T (the T² keeps its gradients on the scale of the cross-entropy's), mixed
    /// as <paramref name="distillationWeight"/> : 1 − <paramref name="distillationWeight"/> with the cross-entropy
    /// against the true class when <paramref name="labels"/> are given.
    /// </summary>
    public static Tensor Compute(Tensor student, Tensor teacher, Tensor? labels, double temperature, double distillationWeight)
    {
        var teacherLog = F.log_softmax(teacher / temperature, 1);
        var studentLog = F.log_softmax(student / temperature, 1);
        var distillation = (teacherLog.exp() * (teacherLog - studentLog)).sum(1).mean() * (temperature * temperature);
        if (labels is null) return distillation;
        return distillation * distillationWeight + F.cross_entropy(student, labels) * (1 - distillationWeight);
    }
}

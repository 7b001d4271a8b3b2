using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>The loss <see cref="DistillationFineTuning"/> minimises, output by output (see <see cref="DistillationLossKind"/>).</summary>
internal static class DistillationLoss
{
    // Keeps the relative MSE finite when the teacher's batch is all zeros (a dead feature map).
    private const double MeanSquareFloor = 1e-12;

    /// <summary>
    /// The sum over <paramref name="outputs"/> of each output's loss, with equal weights. With <paramref name="labels"/>,
    /// the first <see cref="DistillationLossKind.LogitsKL"/> output's term is mixed as <paramref name="distillationWeight"/>
    /// : 1 − <paramref name="distillationWeight"/> with the cross-entropy against the true class.
    /// </summary>
    /// <param name="outputs">The distilled outputs and their loss kinds.</param>
    /// <param name="student">The student's values of each output.</param>
    /// <param name="teacher">The teacher's values of each output, for the same rows.</param>
    /// <param name="labels">The rows' classes, or null.</param>
    /// <param name="temperature">T of the soft KL terms.</param>
    /// <param name="distillationWeight">The KL term's share against the cross-entropy.</param>
    /// <param name="teacherScales">Per output, the relative MSE's denominator taken over a whole batch when these rows are a
    /// part of it (<see cref="TeacherScales"/>), so that the parts' losses, weighted by their share of rows, add up to
    /// the batch's; null: from these rows.</param>
    public static Tensor Compute(IReadOnlyList<DistilledOutput> outputs, Tensor[] student, Tensor[] teacher, Tensor? labels, double temperature, double distillationWeight,
        Tensor?[]? teacherScales = null)
    {
        var labelled = labels is null ? -1 : IndexOfLogits(outputs);
        Tensor? total = null;
        for (var i = 0; i < outputs.Count; i++)
        {
            var term = Of(outputs[i].Loss, student[i], teacher[i], temperature, teacherScales?[i]);
            if (i == labelled)
                term = term * distillationWeight + F.cross_entropy(student[i].flatten(1), labels!) * (1 - distillationWeight);
            total = total is null ? term : total + term;
        }

        return total!;
    }

    /// <summary>The index of the output the labels go with (the first scored as class scores), or -1.</summary>
    public static int IndexOfLogits(IReadOnlyList<DistilledOutput> outputs)
    {
        for (var i = 0; i < outputs.Count; i++)
            if (outputs[i].Loss == DistillationLossKind.LogitsKL) return i;
        return -1;
    }

    /// <summary>One output's loss of kind <paramref name="kind"/> (not Auto).</summary>
    public static Tensor Of(DistillationLossKind kind, Tensor student, Tensor teacher, double temperature, Tensor? teacherScale = null) => kind switch
    {
        DistillationLossKind.LogitsKL => SoftKL(student.flatten(1), teacher.flatten(1), temperature),
        DistillationLossKind.PositionKL => SoftKL(student.flatten(0, -2), teacher.flatten(0, -2), temperature),
        DistillationLossKind.FeatureMse => (student - teacher).square().mean() / (teacherScale ?? TeacherScale(teacher)),
        DistillationLossKind.FeatureCosine => 1 - F.cosine_similarity(student.flatten(1), teacher.flatten(1), 1).mean(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A concrete loss kind is needed; Auto is resolved per output first."),
    };

    /// <summary>
    /// Per output, what <see cref="Compute"/> needs of the whole batch when it is computed part by part: the relative
    /// MSE's mean square of the teacher (null for the other kinds, which are means over rows already).
    /// </summary>
    public static Tensor?[] TeacherScales(IReadOnlyList<DistilledOutput> outputs, Tensor[] teacher) =>
        outputs.Select((output, i) => output.Loss == DistillationLossKind.FeatureMse ? TeacherScale(teacher[i]) : null).ToArray();

    private static Tensor TeacherScale(Tensor teacher) => teacher.square().mean().clamp_min(MeanSquareFloor);

    /// <summary>T²·KL(teacher ‖ student) over the last axis of [rows, classes] at temperature T, averaged over rows (the T² keeps its gradients on the cross-entropy's scale).</summary>
    private static Tensor SoftKL(Tensor student, Tensor teacher, double temperature)
    {
        var teacherLog = F.log_softmax(teacher / temperature, 1);
        var studentLog = F.log_softmax(student / temperature, 1);
        return (teacherLog.exp() * (teacherLog - studentLog)).sum(1).mean() * (temperature * temperature);
    }
}

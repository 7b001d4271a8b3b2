namespace MLNet.TensorCompression.TorchSharp;

/// <summary>One graph output a distillation run trains the student to reproduce, with its loss resolved from the settings and its shape.</summary>
/// <param name="Name">The graph output's name.</param>
/// <param name="Loss">The concrete loss (never <see cref="DistillationLossKind.Auto"/>).</param>
/// <param name="Shape">The output's shape for one row ([1, …]).</param>
internal sealed record DistilledOutput(string Name, DistillationLossKind Loss, long[] Shape)
{
    /// <summary>The loss <paramref name="requested"/> means for an output of <paramref name="shape"/> (batch first): the rule <see cref="DistillationLossKind.Auto"/> documents.</summary>
    public static DistillationLossKind Resolve(DistillationLossKind requested, IReadOnlyList<long> shape) =>
        requested != DistillationLossKind.Auto ? requested : shape.Count switch
        {
            2 => DistillationLossKind.LogitsKL,
            3 => DistillationLossKind.PositionKL,
            _ => DistillationLossKind.FeatureMse,
        };
}

using System.Globalization;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Chooses each compressed layer's layout and execution form for a <see cref="CompressionObjective.Latency"/> or
/// <see cref="CompressionObjective.Balanced"/> objective, by timing one-layer models (<see cref="SingleLayerModel"/>):
/// the dense layer, the planned factorisation run reconstructed and factorised, and the other layout's factorisation
/// (<see cref="LayoutAlternative"/>) run factorised. Measured, not modelled: which of these ONNX Runtime runs fastest
/// depends on the shapes, the ranks and the machine, and a count of multiply-adds says little of it.
/// </summary>
internal static class LayerForms
{
    /// <summary>
    /// How much slower than the dense layer a form may measure and still count as no slower: the spread of medians of one
    /// op timed twice on a shared machine (a Reconstructed layer runs the very op of the dense one).
    /// </summary>
    public const double NoiseMargin = 0.05;

    /// <summary><see cref="CompressionObjective.Balanced"/> takes the most accurate form within this fraction of the fastest one's latency.</summary>
    public const double BalancedLatencyMargin = 0.10;

    /// <summary>The layers with the forms the objective chooses; the layers as they are for <see cref="CompressionObjective.Size"/>.</summary>
    /// <param name="layers">The planned layers, decomposed.</param>
    /// <param name="options">Validated options: the objective, the batch sizes, the modes allowed, the timer.</param>
    /// <param name="standardOpset">The model's default-domain opset, which the one-layer models are written at.</param>
    /// <param name="progress">Receives one line per layer, or null.</param>
    /// <param name="cancellationToken">Checked before every layer.</param>
    public static IReadOnlyList<PlannedLayer> Choose(IReadOnlyList<PlannedLayer> layers, CompressionOptions options, int standardOpset, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (options.Objective == CompressionObjective.Size) return layers;
        var timer = options.LayerTimer ?? CachedLayerTimer.OnnxRuntime;
        return layers.Select(layer =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return layer.Weight is { IsWholeWeight: false } weight ? Choose(layer, weight, options, timer, standardOpset, progress) : layer;
        }).ToArray();
    }

    private static PlannedLayer Choose(PlannedLayer planned, FactorizedWeight weight, CompressionOptions options, ILayerTimer timer, int standardOpset, Action<string>? progress)
    {
        var layer = weight.Layer;
        if (layer.InputShape is null)
        {
            progress?.Invoke($"{layer.Name}: its input shape is not known, so it is not timed; it runs as ExecutionMode says");
            return planned;
        }
        var candidates = Candidates(planned.Plan, weight, options).ToArray();
        var forms = candidates.Select(c => new TimedForm(Key(c.Weight, c.Form), c.Form, SingleLayerModel.Factorized(c.Weight, c.Mode, options.Inline, standardOpset)))
            .Prepend(new TimedForm(Key(layer), ExecutionForm.Dense, SingleLayerModel.Dense(layer, standardOpset))).ToArray();
        // [batch][form]: form 0 is the dense layer.
        var times = options.LatencyBatchSizes.Select(batch => timer.MedianMilliseconds(forms, batch)).ToArray();
        var measured = candidates.Select((candidate, i) => new Measured(candidate,
            options.LatencyBatchSizes.Select((batch, b) => new BatchLatency(batch, times[b][0], times[b][i + 1])).ToArray())).ToArray();
        progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"timed {layer.Name}: {string.Join("; ", measured.Select(m => $"{m.Candidate.Form} {string.Join("/", m.Latency.Select(l => l.Ratio.ToString("0.00", CultureInfo.InvariantCulture)))}x"))} of dense at batch {string.Join("/", options.LatencyBatchSizes)}"));

        var accepted = measured.Where(m => m.Latency.All(l => l.Ratio <= 1 + NoiseMargin)).ToArray();
        if (accepted.Length == 0)
        {
            var dense = LayerPlan.Dense(layer, string.Create(CultureInfo.InvariantCulture,
                $"every compressed form measured slower than the dense layer (fastest: {measured.MinBy(m => m.Score)!.Candidate.Form}, {measured.Min(m => m.Score):0.00}x)"));
            return new PlannedLayer(dense, null, Latency: times.Select((t, b) => new BatchLatency(options.LatencyBatchSizes[b], t[0], t[0])).ToArray());
        }
        var chosen = options.Objective == CompressionObjective.Latency
            ? accepted.OrderBy(m => m.Score).ThenBy(m => m.RuntimeWeights).First()
            : accepted.Where(m => m.Score <= accepted.Min(a => a.Score) * (1 + BalancedLatencyMargin))
                .OrderBy(m => m.Candidate.Weight.RelativeError).ThenBy(m => m.RuntimeWeights).ThenBy(m => m.Score).First();
        return planned with
        {
            Plan = planned.Plan with { Tensorization = chosen.Candidate.Weight.Tensorization },
            Weight = chosen.Candidate.Weight,
            Mode = chosen.Candidate.Mode,
            Latency = chosen.Latency,
        };
    }

    /// <summary>The forms the options allow: the planned factorisation reconstructed and factorised, the other layout's factorised.</summary>
    private static IEnumerable<Candidate> Candidates(LayerPlan plan, FactorizedWeight weight, CompressionOptions options)
    {
        if (options.ExecutionMode != LayerExecutionMode.Factorized)
            yield return new Candidate(weight, LayerExecutionMode.Reconstructed, ExecutionForm.Reconstructed);
        if (options.ExecutionMode == LayerExecutionMode.Reconstructed) yield break;
        if (FactorizedLayerEmitter.HasFactorizedForm(weight)) yield return Factorized(weight);
        if (LayoutAlternative.Decompose(plan, weight, options) is { } other && FactorizedLayerEmitter.HasFactorizedForm(other)) yield return Factorized(other);
    }

    private static Candidate Factorized(FactorizedWeight weight) =>
        new(weight, LayerExecutionMode.Factorized, weight.Tensorization.Layout == TensorLayout.Split ? ExecutionForm.Split : ExecutionForm.Factorized);

    /// <summary>What the dense layer's latency depends on: its op, weight and input shapes, bias and attributes.</summary>
    private static string Key(Finding.CompressibleLayer layer) =>
        $"{layer.OpType}{(layer.WeightOnLeft ? " left" : "")} [{string.Join(",", layer.Weight.Shape)}] on [{string.Join(",", layer.InputShape ?? [])}]"
        + $"{(layer.Bias is null ? "" : " bias")} {string.Join(" ", layer.ConvolutionAttributes.Select(a => $"{a.Name}={a.I}[{string.Join(",", a.Ints)}]{a.S.ToStringUtf8()}"))}";

    /// <summary>The layer's key, and the form's format, modes, tree and ranks.</summary>
    private static string Key(FactorizedWeight weight, ExecutionForm form) =>
        $"{Key(weight.Layer)} as {form} {weight.Format} {weight.Tensorization} {weight.Tensor.Tree} ranks {string.Join("-", weight.Tensor.Ranks)}";

    private sealed record Candidate(FactorizedWeight Weight, LayerExecutionMode Mode, ExecutionForm Form);

    private sealed record Measured(Candidate Candidate, IReadOnlyList<BatchLatency> Latency)
    {
        /// <summary>The geometric mean over the batch sizes of the latency relative to the dense layer's.</summary>
        public double Score => Math.Exp(Latency.Average(l => Math.Log(l.Ratio)));

        public long RuntimeWeights => FactorizedLayerEmitter.RuntimeWeightCount(Candidate.Weight, Candidate.Mode);
    }
}

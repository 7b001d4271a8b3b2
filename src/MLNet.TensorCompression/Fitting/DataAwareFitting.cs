using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Layer-wise re-fitting in graph order: for each compressed layer, the input comes from running the model compressed
/// so far (upstream layers already re-fitted; the model comes from the builder it is given, so fitting does not know
/// how models are written) and the target from running the original model, both on the calibration samples, batch by
/// batch into the layer's <see cref="LayerStatistics"/> (every row of every sample; a held-back share of the samples
/// into a second set); the layer's factors are then fitted to them (<see cref="LayerRefitter"/>). Dense fully connected
/// layers after a compressed one are re-fitted too (<see cref="DenseRefit"/>). One session of the
/// original serves every layer and every <see cref="Refit"/> call (the accuracy-aware search makes several).
/// Memory: one layer's statistics at a time — K̃² + K̃·out doubles (K̃ = inputs per row, +1 for a bias), or the rows
/// themselves when there are fewer rows than inputs — plus a batch of activations; not rows × positions.
/// </summary>
/// <param name="original">The original model: the targets come from it.</param>
/// <param name="samples">Unlabelled inputs of the model.</param>
/// <param name="options">Fitting settings, validated.</param>
/// <param name="buildModel">Writes the model for a list of planned layers (in the order of the plan).</param>
internal sealed class DataAwareFitting(OnnxModel original, CalibrationSet samples, RefitOptions options, Func<IReadOnlyList<PlannedLayer>, OnnxModel> buildModel) : IDisposable
{
    private ActivationSession? originalSession;

    /// <summary>The layers with every factorised weight re-fitted, in order; dense layers are returned as they are.</summary>
    public IReadOnlyList<PlannedLayer> Refit(IReadOnlyList<PlannedLayer> planned, Action<string>? progress, CancellationToken cancellationToken)
    {
        var layers = planned.ToArray();
        originalSession ??= new ActivationSession(original, layers.Select(l => l.Plan.Layer.OutputName));
        var heldBack = HeldBackSamples();
        var random = new Random(options.Seed);
        bool upstreamCompressed = false;
        for (int i = 0; i < layers.Length; i++)
        {
            var candidate = layers[i];
            if (candidate.Weight is null && upstreamCompressed && options.RefitDenseLayers && DenseRefit.Applies(candidate)) candidate = DenseRefit.AsOneCoreTrain(candidate);
            if (candidate.Weight is not { } weight) continue;
            upstreamCompressed = true;
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var layer = weight.Layer;
            var (training, holdout) = Statistics(weight, buildModel(layers), heldBack, cancellationToken);
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"gathered {layer.Name}'s statistics: {training.RowCount:N0} rows to fit, {holdout.RowCount:N0} held back ({clock.Elapsed.TotalSeconds:F1} s)"));
            var (refitted, before, after) = LayerRefitter.Refit(weight, training, holdout, options with { Seed = random.Next() }, cancellationToken);
            // A dense layer the fit could not improve on the held-back rows stays exactly as it was.
            if (layers[i].Weight is not null || after < before) layers[i] = candidate with { Weight = refitted };
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"re-fitted {layer.Name}{(weight.IsWholeWeight ? " (dense)" : "")} on {training.RowCount:N0} rows: held-back error {before:G4} → {after:G4} ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        return layers;
    }

    /// <summary>
    /// Each of <paramref name="candidates"/> — decompositions of one and the same layer — re-fitted by
    /// <paramref name="settings"/> with every other layer as in the original: the layer's input then comes from the
    /// original model too, so its statistics are gathered once, in one pass, and serve every candidate. What the
    /// output-error rank allocation measures a layer's candidates after.
    /// </summary>
    public IReadOnlyList<FactorizedWeight> RefitAlone(IReadOnlyList<FactorizedWeight> candidates, RefitOptions settings, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0) return [];
        var layer = candidates[0].Layer;
        if (candidates.Any(c => c.Layer.Name != layer.Name))
            throw new ArgumentException("The candidates must all be decompositions of one layer.", nameof(candidates));
        using var session = new ActivationSession(original, [layer.InputName, layer.OutputName]);
        var batches = session.RunMany(samples, [layer.InputName, layer.OutputName])
            .Select(b => ((b.Start, b.Values[0], b.Shapes[0]), (b.Start, b.Values[1], b.Shapes[1])));
        var (training, holdout) = Statistics(layer, batches, HeldBackSamples(), cancellationToken);
        return candidates.Select(c => LayerRefitter.Refit(c, training, holdout, settings, cancellationToken).Weight).ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => originalSession?.Dispose();

    /// <summary>Streams the layer's input (from <paramref name="upstream"/>) and target (from the original) into training and held-back statistics.</summary>
    private (LayerStatistics Training, LayerStatistics Holdout) Statistics(FactorizedWeight weight, OnnxModel upstream, bool[] heldBack, CancellationToken cancellationToken)
    {
        var layer = weight.Layer;
        using var upstreamSession = new ActivationSession(upstream, [layer.InputName]);
        return Statistics(layer, upstreamSession.Run(samples, layer.InputName).Zip(originalSession!.Run(samples, layer.OutputName)), heldBack, cancellationToken);
    }

    /// <summary>Adds every batch of (input, target) activations of <paramref name="layer"/> to training and held-back statistics.</summary>
    private (LayerStatistics Training, LayerStatistics Holdout) Statistics(CompressibleLayer layer,
        IEnumerable<((int Start, float[] Values, long[] Shape) Input, (int Start, float[] Values, long[] Shape) Target)> batches, bool[] heldBack, CancellationToken cancellationToken)
    {
        int inputsPerRow = (int)(layer.WeightCount / layer.OutputSize);
        long rowsPerSample = layer.ApplicationsPerSample ?? 1;
        int heldBackCount = heldBack.Count(h => h);
        var training = new LayerStatistics(inputsPerRow, layer.OutputSize, layer.Bias is not null, (samples.Count - heldBackCount) * rowsPerSample);
        var holdout = new LayerStatistics(inputsPerRow, layer.OutputSize, layer.Bias is not null, heldBackCount * rowsPerSample);
        var rows = new RegressionRows(layer, training, holdout, sample => heldBack[sample]);
        foreach (var (input, target) in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(input.Start, input.Values, input.Shape, target.Values, target.Shape);
        }
        rows.Flush();
        if (training.RowCount == 0 || holdout.RowCount == 0)
            throw new ArgumentException($"Re-fitting layer '{layer.Name}' needs rows to fit and rows to hold back; the {samples.Count} calibration samples gave {training.RowCount} and {holdout.RowCount}.");
        return (training, holdout);
    }

    /// <summary>Which samples are held back: a seeded draw of <see cref="RefitOptions.HoldoutFraction"/> of them (at least one), the same for every layer.</summary>
    private bool[] HeldBackSamples()
    {
        var order = Enumerable.Range(0, samples.Count).ToArray();
        new Random(options.Seed).Shuffle(order);
        var heldBack = new bool[samples.Count];
        int count = Math.Clamp((int)(samples.Count * options.HoldoutFraction), 1, Math.Max(1, samples.Count - 1));
        foreach (int sample in order[..count]) heldBack[sample] = true;
        return heldBack;
    }
}

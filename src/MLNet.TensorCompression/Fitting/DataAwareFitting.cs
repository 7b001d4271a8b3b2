using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Layer-wise re-fitting in graph order: for each compressed layer, the input comes from running the model compressed
/// so far (upstream layers already re-fitted; the model comes from the builder it is given, so fitting does not know
/// how models are written) and the target from running the original model, both on the calibration samples; the
/// layer's factors are then fitted to that regression (<see cref="LayerRefitter"/>). The original's targets are
/// captured in one pass and kept for every <see cref="Refit"/> call (the accuracy-aware search makes several).
/// Memory: the targets of every compressed layer for all samples, plus, one layer at a time, its captured input and
/// the regression rows (samples × positions × (in + out) doubles; a convolution keeps
/// <see cref="RefitOptions.PixelsPerSample"/> positions per sample).
/// </summary>
/// <param name="original">The original model: the targets come from it.</param>
/// <param name="samples">Unlabelled inputs of the model.</param>
/// <param name="options">Optimiser settings, validated.</param>
/// <param name="buildModel">Writes the model for a list of planned layers (in the order of the plan).</param>
internal sealed class DataAwareFitting(OnnxModel original, CalibrationSet samples, RefitOptions options, Func<IReadOnlyList<PlannedLayer>, OnnxModel> buildModel)
{
    private readonly Dictionary<string, CapturedTensor> targets = new(StringComparer.Ordinal);

    /// <summary>The layers with every factorised weight re-fitted, in order; dense layers are returned as they are.</summary>
    public IReadOnlyList<PlannedLayer> Refit(IReadOnlyList<PlannedLayer> planned, Action<string>? progress, CancellationToken cancellationToken)
    {
        var layers = planned.ToArray();
        CaptureTargets(layers.Where(l => l.Weight is not null).Select(l => l.Plan.Layer.OutputName));
        var random = new Random(options.Seed);
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i].Weight is not { } weight) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var upstream = buildModel(layers);
            var input = ActivationCapture.Capture(upstream, samples, [weight.Layer.InputName])[weight.Layer.InputName];
            var target = targets[weight.Layer.OutputName];
            var data = weight.Layer.Kind == LayerKind.Convolution
                ? LayerRegression.ForConvolution(weight.Layer, input, target, options.PixelsPerSample, random)
                : LayerRegression.ForFullyConnected(weight.Layer, input, target);
            var (refitted, before, after) = LayerRefitter.Refit(weight, data, options with { Seed = random.Next() }, cancellationToken);
            layers[i] = layers[i] with { Weight = refitted };
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"re-fitted {weight.Layer.Name} on {data.Inputs.Rows} rows: held-back error {before:G4} → {after:G4} ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        return layers;
    }

    /// <summary>Runs the original once for the outputs not captured yet (a later call may compress layers an earlier one kept dense).</summary>
    private void CaptureTargets(IEnumerable<string> outputNames)
    {
        var missing = outputNames.Where(name => !targets.ContainsKey(name)).Distinct().ToArray();
        if (missing.Length == 0) return;
        foreach (var (name, values) in ActivationCapture.Capture(original, samples, missing)) targets[name] = values;
    }
}

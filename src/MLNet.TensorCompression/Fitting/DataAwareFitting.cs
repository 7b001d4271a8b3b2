using System.Diagnostics;
using System.Globalization;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;
namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Layer-wise re-fitting in graph order: for each compressed layer, the input comes from running the model compressed
/// so far (upstream layers already re-fitted) and the target from running the original model, both on the calibration
/// samples; the layer's factors are then fitted to that regression (<see cref="LayerRefitter"/>).
/// Memory: one layer at a time — its captured input and output activations for all samples, plus the regression rows
/// (samples × positions × (in + out) doubles; a convolution keeps <see cref="RefitOptions.PixelsPerSample"/> positions per sample).
/// </summary>
internal static class DataAwareFitting
{
    public static CompressionPlan Refit(OnnxModel model, CompressionPlan plan, CompressionOptions options, CalibrationSet samples, RefitOptions refit, Action<string>? progress, CancellationToken cancellationToken)
    {
        var layers = plan.Layers.ToArray();
        var random = new Random(refit.Seed);
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i].Weight is not { } weight) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var upstream = OnnxModelCompressor.Build(model, plan with { Layers = layers }, options, progress: null).Model;
            var input = ActivationCapture.Capture(upstream, samples, [weight.Layer.InputName])[weight.Layer.InputName];
            var target = ActivationCapture.Capture(model, samples, [weight.Layer.OutputName])[weight.Layer.OutputName];
            var data = weight.Layer.Kind == LayerKind.Convolution
                ? LayerRegression.ForConvolution(weight.Layer, input, target, refit.PixelsPerSample, random)
                : LayerRegression.ForFullyConnected(weight.Layer, input, target);
            var (refitted, before, after) = LayerRefitter.Refit(weight, data, refit with { Seed = random.Next() }, cancellationToken);
            layers[i] = layers[i] with { Weight = refitted };
            progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"re-fitted {weight.Layer.Name} on {data.Inputs.Rows} rows: held-back error {before:G4} → {after:G4} ({clock.Elapsed.TotalSeconds:F1} s)"));
        }
        return plan with { Layers = layers };
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Writes the compressed model for a list of planned layers: each factorised layer's execution form (Auto resolved
/// per layer), put in place of the layer's nodes, and one report line per layer. Used for the final model and, by
/// layer-wise fitting, for every model compressed so far.
/// </summary>
internal static class CompressedModelEmitter
{
    /// <summary>
    /// How much slower a multiply-add of a factor chain runs than one of ONNX Runtime's dense Gemm/Conv: 2–3x,
    /// measured on this project's machine (single layers, rank 16, batch 1 and 64). Auto takes the chain only when it
    /// wins by that margin, so a compressed model is not slower than its original.
    /// </summary>
    private const double FactorizedCostPerMac = 3;

    /// <summary>
    /// The same for the split form, whose ops are a few large Gemms or Convs like the dense layer's: 1 (the ORT spike in
    /// shared/notes/ort-runtime-layouts.md: 20.8x fewer weights in that shape ran in 0.21x the dense time at batch 1).
    /// </summary>
    private const double SplitCostPerMac = 1;

    /// <summary>
    /// The rewritten model (no report in its metadata yet) and the report line of every planned layer, in order. A layer
    /// runs in the mode its plan chose (<see cref="PlannedLayer.Mode"/>), else in the options' mode.
    /// </summary>
    public static (OnnxModel Model, IReadOnlyList<LayerReport> Layers) Emit(OnnxModel original, IReadOnlyList<PlannedLayer> layers, CompressionOptions options)
    {
        var replacements = new List<LayerReplacement>();
        var layerReports = new List<LayerReport>();
        var existing = new GraphNames(original.Graph);
        // The bodies follow the model's opset rather than raising it: a higher import would change what the model's
        // other nodes mean (e.g. Upsample, BatchNormalization), which nothing here checks.
        int opset = StandardOpset.Of(original.Proto);
        if (opset < OpBodyBuilder.MinimumStandardOpset && layers.Any(l => l.Weight is not null))
            throw new OnnxModelException(
                $"Graph '{original.Graph.Name}' imports opset {opset} of the default ONNX domain; factorised layers are written for opset {OpBodyBuilder.MinimumStandardOpset} or later, the oldest ONNX Runtime runs.");
        foreach (var layer in layers)
        {
            if (layer.Weight is not { } weight)
            {
                layerReports.Add(LayerReports.Dense(layer.Plan) with { Latency = layer.Latency });
                continue;
            }
            var mode = layer.Mode ?? ResolveMode(options.ExecutionMode, weight);
            var emission = FactorizedLayerEmitter.Emit(weight, mode, options.Inline, existing.FreePrefix(NamePrefix(weight.Layer.Name, replacements.Count)), opset);
            replacements.Add(new LayerReplacement(weight.Layer.Name, weight.Layer.Nodes, emission, weight.Layer.ParameterTensorNames));
            layerReports.Add(LayerReports.Factorized(weight, mode, options) with { Latency = layer.Latency });
        }
        var model = new OnnxModel(GraphRewriter.Rewrite(original.Proto, replacements));
        GraphOutputShapes.DeclareMissing(model);
        return (model, layerReports);
    }

    private static LayerExecutionMode ResolveMode(LayerExecutionMode requested, FactorizedWeight weight) => requested switch
    {
        _ when weight.IsWholeWeight => LayerExecutionMode.Reconstructed, // the weight as stored: nothing to rebuild, nothing to chain
        LayerExecutionMode.Auto when !FactorizedLayerEmitter.HasFactorizedForm(weight) => LayerExecutionMode.Reconstructed,
        LayerExecutionMode.Auto => FactorizedLayerEmitter.FactorizedMacsPerSample(weight) * CostPerMac(weight) < FactorizedLayerEmitter.ReconstructedMacsPerSample(weight)
            ? LayerExecutionMode.Factorized
            : LayerExecutionMode.Reconstructed,
        _ => requested,
    };

    private static double CostPerMac(FactorizedWeight weight) =>
        weight.Tensorization.Layout == TensorLayout.Split ? SplitCostPerMac : FactorizedCostPerMac;

    /// <summary>A node-name-safe prefix, unique per replaced layer (the index); <see cref="GraphNames"/> keeps it apart from the graph's own names.</summary>
    private static string NamePrefix(string layerName, int index) =>
        $"tc{index}_" + new string(layerName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()).Trim('_');
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Emission;

/// <summary>The report line of a layer: what it became, its size, error and multiply-adds.</summary>
internal static class LayerReports
{
    /// <summary>A layer that stays dense, with the reason.</summary>
    public static LayerReport Dense(LayerPlan plan) => Dense(plan.Layer) with { Note = plan.Reason };

    private static LayerReport Dense(Finding.CompressibleLayer layer) => new()
    {
        Name = layer.Name,
        OpType = layer.OpType,
        Format = "dense",
        WeightShape = layer.Weight.Shape,
        ParametersBefore = layer.WeightCount,
        ParametersAfter = layer.WeightCount,
        RuntimeParameters = layer.WeightCount,
        MacsBefore = layer.DenseMacsPerSample,
        MacsAfter = layer.DenseMacsPerSample,
    };

    /// <summary>A factorised layer emitted in <paramref name="mode"/> (Factorized or Reconstructed).</summary>
    public static LayerReport Factorized(FactorizedWeight weight, LayerExecutionMode mode, CompressionOptions options)
    {
        if (weight.IsWholeWeight) return Dense(weight.Layer) with
        {
            RelativeError = weight.RelativeError,
            Note = "dense, re-fitted: the compressed layers before it changed its inputs",
        };
        bool shapesKnown = weight.Layer.ApplicationsPerSample is not null;
        bool rankCapBound = options.Tolerance is { } tolerance && weight.RelativeError > tolerance;
        return new LayerReport
        {
            Name = weight.Layer.Name,
            OpType = weight.Layer.OpType,
            Format = weight.Format,
            WeightShape = weight.Layer.Weight.Shape,
            Modes = weight.Tensorization.ToString(),
            // A tensor train's tree is always the caterpillar: "TT" says it.
            Tree = weight.Tensor.Format == LayerFormat.HierarchicalTucker ? weight.Tensor.Tree.ToString() : null,
            Ranks = weight.Tensor.Ranks,
            ParametersBefore = weight.Layer.WeightCount,
            ParametersAfter = weight.FactorParameterCount,
            RuntimeParameters = FactorizedLayerEmitter.RuntimeWeightCount(weight, mode),
            RelativeError = weight.RelativeError,
            ErrorBound = options.TargetCompressionRatio is null && !rankCapBound ? options.Tolerance : null,
            MacsBefore = weight.Layer.DenseMacsPerSample,
            MacsAfter = !shapesKnown ? null : mode == LayerExecutionMode.Factorized
                ? FactorizedLayerEmitter.FactorizedMacsPerSample(weight)
                : FactorizedLayerEmitter.ReconstructedMacsPerSample(weight),
            // Factorized on a split layout is the split form: a few large dense ops, not a chain.
            ExecutionMode = mode == LayerExecutionMode.Factorized && weight.Tensorization.Layout == TensorLayout.Split ? "Split" : mode.ToString(),
        };
    }
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Planning;

/// <summary>Chooses each layer's format (policy, overrides, sensible exclusions) and then its ranks.</summary>
internal static class CompressionPlanner
{
    /// <summary>Decides the format of every layer, in the order given.</summary>
    /// <param name="layers">The compressible layers of the model.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="graphInputs">Names of the model's real (non-initializer) inputs, to recognise the input convolution.</param>
    public static IReadOnlyList<LayerPlan> PlanFormats(IEnumerable<CompressibleLayer> layers, CompressionOptions options, IReadOnlySet<string> graphInputs) =>
        layers.Select(layer => PlanFormat(layer, options, graphInputs)).ToArray();

    /// <summary>
    /// Decomposes every planned layer: at the ranks a target ratio calls for, or else at the rank cap and tolerance.
    /// A factorisation no smaller than its dense weight is dropped, and the layer stays dense.
    /// </summary>
    /// <param name="plans">The format decisions.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="modelParameters">All parameters of the original model (every float initializer), for the target-ratio budget.</param>
    /// <param name="outputError">The data measurement <see cref="RankAllocation.OutputError"/> needs (see <see cref="RankLadders.MeasuredOn"/>), or null without data.</param>
    /// <param name="progress">Receives one line per decomposition, or null.</param>
    /// <param name="cancellationToken">Checked before every decomposition.</param>
    public static IReadOnlyList<PlannedLayer> Decompose(IReadOnlyList<LayerPlan> plans, CompressionOptions options, long modelParameters,
        CandidateErrors? outputError, Action<string>? progress, CancellationToken cancellationToken)
    {
        if (options.TargetCompressionRatio is { } ratio)
            return Ladders(plans, options, modelParameters, ratio, outputError, progress, cancellationToken).Allocate(ratio, options.RankAllocation);

        return plans.Select(plan =>
        {
            if (plan.Format == LayerFormat.Dense) return new PlannedLayer(plan, null);
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke($"decomposing {plan.Layer.Name} ({plan.Format}, {plan.Tensorization})");
            return KeepIfSmaller(plan, LayerDecomposer.Decompose(plan, TruncationOf(plan, options)));
        }).ToArray();
    }

    /// <summary>The truncation a layer is decomposed at without a target ratio: its override's rank, else the rank cap and the tolerance.</summary>
    public static Truncation TruncationOf(LayerPlan plan, CompressionOptions options) => new()
    {
        MaxRank = plan.FixedMaxRank ?? options.MaxRank ?? (options.Tolerance is null ? CompressionOptions.DefaultMaxRank : int.MaxValue),
        Tolerance = options.Tolerance ?? 0,
    };

    /// <summary>
    /// The rank ladders for ratios down to <paramref name="smallestRatio"/>, measured on data by <paramref name="outputError"/>
    /// when the allocation is <see cref="RankAllocation.OutputError"/>.
    /// </summary>
    public static RankLadders Ladders(IReadOnlyList<LayerPlan> plans, CompressionOptions options, long modelParameters, double smallestRatio,
        CandidateErrors? outputError, Action<string>? progress, CancellationToken cancellationToken)
    {
        var ladders = RankLadders.Build(plans, options.MaxRank, modelParameters, smallestRatio, progress, cancellationToken);
        if (options.RankAllocation != RankAllocation.OutputError) return ladders;
        if (outputError is null) throw new ArgumentException("The output-error rank allocation measures candidates on data: give calibration data, or choose another RankAllocation.");
        return ladders.MeasuredOn(outputError, progress, cancellationToken);
    }

    /// <summary>The factorisation, or a dense plan when it would not save anything.</summary>
    internal static PlannedLayer KeepIfSmaller(LayerPlan plan, FactorizedWeight weight) =>
        weight.FactorParameterCount < plan.Layer.WeightCount
            ? new PlannedLayer(plan, weight)
            : new PlannedLayer(LayerPlan.Dense(plan.Layer,
                $"the factorisation ({weight.FactorParameterCount} values) would not be smaller than the weight ({plan.Layer.WeightCount})"), null);

    private static LayerPlan PlanFormat(CompressibleLayer layer, CompressionOptions options, IReadOnlySet<string> graphInputs)
    {
        var chosen = options.LayerOverrides.FirstOrDefault(o => o.Matches(layer.Name));
        if (chosen?.Format == LayerFormat.Dense) return LayerPlan.Dense(layer, $"override '{chosen.Pattern}=dense'", keepWeights: true);
        if (chosen is null)
        {
            if (layer.Kind == LayerKind.Convolution && layer.InputSize <= 3 && graphInputs.Contains(layer.InputName) && !options.CompressInputConvolution)
                return LayerPlan.Dense(layer, $"input convolution on {layer.InputSize} channel(s): few weights, and every later layer depends on it (see CompressInputConvolution)");
            if (layer.WeightCount < options.MinimumLayerParameters)
                return LayerPlan.Dense(layer, $"{layer.WeightCount} weights, fewer than MinimumLayerParameters ({options.MinimumLayerParameters})");
        }

        var format = chosen?.Format ?? DefaultFormat(options.Policy, layer.Kind);
        var tensorization = Tensorize(layer, options.Layout);
        if (tensorization.ModeSizes.Count < 2)
            return LayerPlan.Dense(layer, $"sizes [{string.Join(",", layer.Weight.Shape)}] do not factor into two or more modes");
        return new LayerPlan(layer, format, tensorization, chosen?.MaxRank, null);
    }

    /// <summary>The layer's weight tensorised in <paramref name="layout"/>.</summary>
    public static Tensorization Tensorize(CompressibleLayer layer, TensorLayout layout)
    {
        var shape = layer.Weight.Shape;
        return (layer.Kind, layout == TensorLayout.Split) switch
        {
            (LayerKind.Convolution, false) => Tensorization.ForConvKernel(shape[0], shape[1], shape[2], shape[3]),
            (LayerKind.Convolution, true) => Tensorization.ForConvKernelSplit(shape[0], shape[1], shape[2], shape[3]),
            (_, false) => Tensorization.ForMatrix(shape[0], shape[1]),
            (_, true) => Tensorization.ForMatrixSplit(shape[0], shape[1]),
        };
    }

    private static LayerFormat DefaultFormat(CompressionPolicy policy, LayerKind kind) => policy switch
    {
        CompressionPolicy.TensorTrain => LayerFormat.TensorTrain,
        CompressionPolicy.HierarchicalTucker => LayerFormat.HierarchicalTucker,
        _ => kind == LayerKind.Convolution ? LayerFormat.TensorTrain : LayerFormat.HierarchicalTucker,
    };
}

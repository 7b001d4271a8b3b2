using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>A layer's weight in TT or HT format: what replaces the dense weight in the compressed model.</summary>
public sealed class FactorizedWeight
{
    /// <summary>Pairs a layer with its tensor-train factorisation.</summary>
    public FactorizedWeight(CompressibleLayer layer, Tensorization tensorization, TensorTrain tensorTrain, double relativeError)
        : this(layer, tensorization, relativeError)
    {
        ArgumentNullException.ThrowIfNull(tensorTrain);
        RequireModes(tensorization, tensorTrain.ModeSizes);
        TensorTrain = tensorTrain;
    }

    /// <summary>Pairs a layer with its hierarchical Tucker factorisation.</summary>
    public FactorizedWeight(CompressibleLayer layer, Tensorization tensorization, HierarchicalTucker hierarchicalTucker, double relativeError)
        : this(layer, tensorization, relativeError)
    {
        ArgumentNullException.ThrowIfNull(hierarchicalTucker);
        RequireModes(tensorization, hierarchicalTucker.ModeSizes);
        HierarchicalTucker = hierarchicalTucker;
    }

    private FactorizedWeight(CompressibleLayer layer, Tensorization tensorization, double relativeError)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(tensorization);
        if (!tensorization.OriginalShape.SequenceEqual(layer.Weight.Shape))
            throw new ArgumentException($"Tensorization of shape [{string.Join(",", tensorization.OriginalShape)}] does not fit layer '{layer.Name}' with weight [{string.Join(",", layer.Weight.Shape)}].", nameof(tensorization));
        Layer = layer;
        Tensorization = tensorization;
        RelativeError = relativeError;
    }

    /// <summary>The layer whose weight this replaces.</summary>
    public CompressibleLayer Layer { get; }

    /// <summary>How the weight was reshaped into a tensor.</summary>
    public Tensorization Tensorization { get; }

    /// <summary>The TT factorisation, or null when the format is HT.</summary>
    public TensorTrain? TensorTrain { get; }

    /// <summary>The HT factorisation, or null when the format is TT.</summary>
    public HierarchicalTucker? HierarchicalTucker { get; }

    /// <summary>‖W − Ŵ‖_F / ‖W‖_F of the factorisation.</summary>
    public double RelativeError { get; }

    /// <summary>"TT" or "HT".</summary>
    public string Format => TensorTrain is not null ? "TT" : "HT";

    /// <summary>Values stored for the weight factors (the bias is not counted).</summary>
    public long FactorParameterCount => TensorTrain?.ParameterCount ?? HierarchicalTucker!.ParameterCount;

    /// <summary>The dense weight rebuilt from the factors, in the layer's canonical layout.</summary>
    public float[] ReconstructWeight() =>
        Tensorization.Unfold(TensorTrain is not null ? TensorTrain.ToDense() : HierarchicalTucker!.ToDense());

    private static void RequireModes(Tensorization tensorization, IReadOnlyList<int> modeSizes)
    {
        if (!tensorization.ModeSizes.SequenceEqual(modeSizes))
            throw new ArgumentException($"The factorisation's modes [{string.Join(",", modeSizes)}] differ from the tensorization's [{string.Join(",", tensorization.ModeSizes)}].");
    }
}

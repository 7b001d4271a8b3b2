using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>A layer's weight in a factorised format: what replaces the dense weight in the compressed model.</summary>
public sealed class FactorizedWeight
{
    /// <summary>Pairs a layer with the factorisation of its tensorised weight.</summary>
    /// <exception cref="ArgumentException">The tensorization does not fit the layer's weight, or the factorisation's modes differ from the tensorization's.</exception>
    public FactorizedWeight(CompressibleLayer layer, Tensorization tensorization, FactorizedTensor tensor, double relativeError)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(tensorization);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensorization.OriginalShape.SequenceEqual(layer.Weight.Shape))
            throw new ArgumentException($"Tensorization of shape [{string.Join(",", tensorization.OriginalShape)}] does not fit layer '{layer.Name}' with weight [{string.Join(",", layer.Weight.Shape)}].", nameof(tensorization));
        if (!tensorization.ModeSizes.SequenceEqual(tensor.ModeSizes))
            throw new ArgumentException($"The factorisation's modes [{string.Join(",", tensor.ModeSizes)}] differ from the tensorization's [{string.Join(",", tensorization.ModeSizes)}].", nameof(tensor));
        Layer = layer;
        Tensorization = tensorization;
        Tensor = tensor;
        RelativeError = relativeError;
    }

    /// <summary>The layer whose weight this replaces.</summary>
    public CompressibleLayer Layer { get; }

    /// <summary>How the weight was reshaped into a tensor.</summary>
    public Tensorization Tensorization { get; }

    /// <summary>The factorisation of the tensorised weight.</summary>
    public FactorizedTensor Tensor { get; }

    /// <summary>‖W − Ŵ‖_F / ‖W‖_F of the factorisation.</summary>
    public double RelativeError { get; }

    /// <summary>"TT" or "HT".</summary>
    public string Format => Tensor.Format == LayerFormat.TensorTrain ? "TT" : "HT";

    /// <summary>Values stored for the weight factors (the bias is not counted).</summary>
    public long FactorParameterCount => Tensor.ParameterCount;

    /// <summary>One factor holding the whole weight (a one-core tensor train): a dense layer carried through fitting and emission, not a factorisation.</summary>
    public bool IsWholeWeight => Tensor.Factors.Count == 1;

    /// <summary>The dense weight rebuilt from the factors, in the layer's canonical layout.</summary>
    public float[] ReconstructWeight() => Tensorization.Unfold(Tensor.ToDense());

    /// <summary>
    /// The same format with other factor values (e.g. re-fitted), its <see cref="RelativeError"/> measured anew in
    /// weight space. The arrays are used as given.
    /// </summary>
    /// <param name="factors">One array per factor, as long as <see cref="FactorizedTensor.Factors"/>' own.</param>
    /// <param name="layer">The layer, e.g. with a re-fitted bias; <see cref="Layer"/> when null. Its weight must be this one's.</param>
    public FactorizedWeight WithFactors(IReadOnlyList<double[]> factors, CompressibleLayer? layer = null)
    {
        var tensor = Tensor.WithFactors(factors);
        return new FactorizedWeight(layer ?? Layer, Tensorization, tensor, WeightError(tensor.ToDense()));
    }

    /// <summary>‖W − Ŵ‖/‖W‖ in weight space for the tensor <paramref name="rebuilt"/> in mode order.</summary>
    private double WeightError(double[] rebuilt)
    {
        var weight = new double[rebuilt.Length];
        Tensorization.UnfoldInto(rebuilt, weight);
        var original = Layer.Weight.Data;
        double difference = 0, norm = 0;
        for (int i = 0; i < original.Length; i++)
        {
            double d = original[i] - weight[i];
            difference += d * d;
            norm += (double)original[i] * original[i];
        }
        return norm == 0 ? 0 : Math.Sqrt(difference / norm);
    }
}

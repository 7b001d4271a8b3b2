using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>Decomposes one planned layer's weight at a given truncation.</summary>
internal static class LayerDecomposer
{
    public static FactorizedWeight Decompose(LayerPlan plan, Truncation truncation)
    {
        var tensorization = plan.Tensorization ?? throw new ArgumentException($"Layer '{plan.Layer.Name}' is planned dense.", nameof(plan));
        // A split layout's HT tree must separate the sides at its root, which the default balanced tree need not.
        var result = FactorizedTensor.Decompose(plan.Format, tensorization.Fold(plan.Layer.Weight.Data), tensorization.ModeSizes, truncation, tensorization.SplitTree());
        return new FactorizedWeight(plan.Layer, tensorization, result.Value, result.RelativeError);
    }
}

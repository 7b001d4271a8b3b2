using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>Decomposes one planned layer's weight at a given truncation.</summary>
internal static class LayerDecomposer
{
    public static FactorizedWeight Decompose(LayerPlan plan, Truncation truncation)
    {
        var tensorization = plan.Tensorization ?? throw new ArgumentException($"Layer '{plan.Layer.Name}' is planned dense.", nameof(plan));
        var tensor = tensorization.Fold(plan.Layer.Weight.Data);
        return plan.Format == LayerFormat.TensorTrain
            ? DecomposeTensorTrain(plan, tensorization, tensor, truncation)
            : DecomposeHierarchicalTucker(plan, tensorization, tensor, truncation);
    }

    private static FactorizedWeight DecomposeTensorTrain(LayerPlan plan, Tensorization tensorization, double[] tensor, Truncation truncation)
    {
        var result = TensorTrain.Decompose(tensor, tensorization.ModeSizes, truncation);
        return new FactorizedWeight(plan.Layer, tensorization, result.Value, result.RelativeError);
    }

    private static FactorizedWeight DecomposeHierarchicalTucker(LayerPlan plan, Tensorization tensorization, double[] tensor, Truncation truncation)
    {
        var result = HierarchicalTucker.Decompose(tensor, tensorization.ModeSizes, tree: null, truncation);
        return new FactorizedWeight(plan.Layer, tensorization, result.Value, result.RelativeError);
    }
}

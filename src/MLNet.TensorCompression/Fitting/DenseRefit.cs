using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// A dense fully connected layer downstream of compressed ones, re-fitted like them: its inputs changed with the layers
/// before it, and refitting it to the original's outputs corrects much of that (measured on the VGG sample at 40x: the
/// closing 10-way classifier re-fitted, 0.880; left as it was, 0.859). It is written as a one-core tensor train — the
/// weight itself, as many values as before — so that fitting, emission and the report treat it like any fitted layer.
/// </summary>
internal static class DenseRefit
{
    /// <summary>Whether <paramref name="layer"/> is a dense layer the fit may change: fully connected, and not pinned by the user or the model.</summary>
    public static bool Applies(PlannedLayer layer) =>
        layer.Weight is null && !layer.Plan.KeepWeights && layer.Plan.Layer.Kind == LayerKind.FullyConnected;

    /// <summary>The layer as a one-core tensor train holding its weight exactly (error 0).</summary>
    public static PlannedLayer AsOneCoreTrain(PlannedLayer layer)
    {
        var dense = layer.Plan.Layer;
        var plan = new LayerPlan(dense, LayerFormat.TensorTrain, Tensorization.ForMatrix(dense.OutputSize, dense.InputSize, modeCount: 1), FixedMaxRank: null, Reason: null);
        return new PlannedLayer(plan, LayerDecomposer.Decompose(plan, Truncation.ToRank(1)));
    }
}

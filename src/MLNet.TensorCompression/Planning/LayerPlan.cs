using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Planning;

/// <summary>The planner's decision for one layer: its format, how its weight is tensorised, and why it stays dense if it does.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="Format">The chosen format.</param>
/// <param name="Tensorization">The weight's tensor layout (null for dense layers).</param>
/// <param name="FixedMaxRank">A rank cap from an override, which a target-ratio search does not change.</param>
/// <param name="Reason">Why the layer stays dense, or null.</param>
/// <param name="KeepWeights">A dense layer whose weights must stay as they are (the user's override, or a weight callers
/// may feed): data-aware fitting does not re-fit it.</param>
internal sealed record LayerPlan(CompressibleLayer Layer, LayerFormat Format, Tensorization? Tensorization, int? FixedMaxRank, string? Reason, bool KeepWeights = false)
{
    /// <summary>A plan that leaves the layer's form as it is (its weights may still be re-fitted unless <paramref name="keepWeights"/>).</summary>
    public static LayerPlan Dense(CompressibleLayer layer, string reason, bool keepWeights = false) => new(layer, LayerFormat.Dense, null, null, reason, keepWeights);
}

using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>A layer's final plan and, unless it stays dense, its factorised weight.</summary>
internal sealed record PlannedLayer(LayerPlan Plan, FactorizedWeight? Weight);

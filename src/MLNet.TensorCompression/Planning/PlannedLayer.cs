using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Planning;

/// <summary>A layer's final plan and, unless it stays dense, its factorised weight.</summary>
/// <param name="Plan">The format decision.</param>
/// <param name="Weight">The factorised weight, or null when the layer stays dense.</param>
/// <param name="Mode">How the weight runs, as a latency objective chose it (<see cref="LayerForms"/>); null: as the options say.</param>
/// <param name="Latency">The dense layer's and the chosen form's measured latency per batch size, or null when nothing was timed.</param>
internal sealed record PlannedLayer(LayerPlan Plan, FactorizedWeight? Weight, LayerExecutionMode? Mode = null, IReadOnlyList<BatchLatency>? Latency = null);

using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Planning;

/// <summary>What compression decided before writing the graph: the layers found, each one's plan and factors, and the model's parameter count.</summary>
/// <param name="Scan">The layers found (and the nodes skipped).</param>
/// <param name="Layers">Every compressible layer's final plan and factorised weight, in graph order.</param>
/// <param name="ParametersBefore">All float initializer values of the input model.</param>
internal sealed record CompressionPlan(LayerScan Scan, IReadOnlyList<PlannedLayer> Layers, long ParametersBefore);

namespace MLNet.TensorCompression;

/// <summary>A node with a weight that cannot be compressed, and why.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OpType">Node op type.</param>
/// <param name="Reason">Why it is not compressible.</param>
public sealed record SkippedLayerReport(string Name, string OpType, string Reason);

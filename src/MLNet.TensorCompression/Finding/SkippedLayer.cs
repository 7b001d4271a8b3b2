namespace MLNet.TensorCompression.Finding;

/// <summary>A node that holds or could hold a weight but is not compressed, and why.</summary>
/// <param name="Name">The node's name, or its first output when it is unnamed.</param>
/// <param name="OpType">The node's operator, e.g. <c>ConvTranspose</c>.</param>
/// <param name="Reason">Why the node is not compressed, e.g. "grouped convolution (group=32)".</param>
/// <param name="ParameterCount">
/// Number of values in the node's constant floating-point inputs (its weights and biases), or null when none of its
/// inputs is such a constant.
/// </param>
public sealed record SkippedLayer(string Name, string OpType, string Reason, long? ParameterCount);

namespace MLNet.TensorCompression.Finding;

/// <summary>The shapes <see cref="ShapeProbe"/> found, and why the others are missing.</summary>
/// <param name="Shapes">Shape of each tensor that was measured or declared, by name.</param>
/// <param name="FailureReason">Why the model could not be run to measure the rest, or null when nothing went wrong.</param>
internal sealed record MeasuredShapes(IReadOnlyDictionary<string, long[]> Shapes, string? FailureReason);

namespace MLNet.TensorCompression.Finding;

/// <summary>A layer a pattern recognised, before the shapes its applications per sample depend on are measured.</summary>
/// <param name="Layer">The layer; its <see cref="CompressibleLayer.ApplicationsPerSample"/> is final when <paramref name="Applications"/> is null.</param>
/// <param name="Applications">How to get the applications per sample from a measured shape, or null when they are already known.</param>
internal sealed record LayerMatch(CompressibleLayer Layer, LayerMatch.ShapeQuery? Applications)
{
    /// <summary>The applications per sample as a function of one tensor's shape.</summary>
    /// <param name="TensorName">The tensor to measure.</param>
    /// <param name="FromShape">The applications per sample, or null when the shape does not fit the layer.</param>
    internal sealed record ShapeQuery(string TensorName, Func<IReadOnlyList<long>, long?> FromShape);
}

namespace MLNet.TensorCompression.Planning;

/// <summary>One rung of a layer's rank ladder: the layer at one rank cap (or dense), its size and its squared relative weight error.</summary>
internal sealed record RankCandidate(PlannedLayer Layer, long Parameters, double ErrorSquared);

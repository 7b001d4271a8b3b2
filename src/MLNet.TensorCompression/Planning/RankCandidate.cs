namespace MLNet.TensorCompression.Planning;

/// <summary>
/// One rung of a layer's rank ladder: the layer at one rank cap (null: dense), its size, and its error — the squared
/// relative weight error, or, once measured on data (<see cref="RankLadders.MeasuredOn"/>), the network's relative output
/// error with this layer alone compressed and re-fitted.
/// </summary>
internal sealed record RankCandidate(PlannedLayer Layer, long Parameters, double ErrorSquared, int? RankCap);

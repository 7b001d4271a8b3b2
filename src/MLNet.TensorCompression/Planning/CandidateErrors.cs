namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Measures one layer's candidates on data: for each of <paramref name="candidates"/> (decompositions of the layer at
/// <paramref name="index"/>), the network's relative output error Σ‖ŷ − y‖² / Σ‖y‖² with that candidate in place of the
/// layer and every other layer as in <paramref name="dense"/>. What <see cref="RankAllocation.OutputError"/> allocates on.
/// </summary>
/// <param name="dense">Every layer dense, in plan order.</param>
/// <param name="index">The layer the candidates replace.</param>
/// <param name="candidates">The layer's decompositions.</param>
/// <param name="cancellationToken">Checked between candidates.</param>
/// <returns>One error per candidate, in order.</returns>
internal delegate IReadOnlyList<double> CandidateErrors(IReadOnlyList<PlannedLayer> dense, int index, IReadOnlyList<PlannedLayer> candidates, CancellationToken cancellationToken);

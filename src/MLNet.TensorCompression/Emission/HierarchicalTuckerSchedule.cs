namespace MLNet.TensorCompression.Emission;

/// <summary>
/// One way to run an HT weight factorised: a train chain over cores computed from the HT factors, or the tree chain.
/// </summary>
/// <param name="Name">How the overload names it: <c>rtl</c>, <c>ltr</c> or <c>train</c> for a train chain, <c>tree</c> for the tree chain.</param>
/// <param name="Chain">The planned chain.</param>
/// <param name="Factors">The initializers it reads, in node-id order.</param>
/// <param name="Train">The train view whose cores the body computes, or null for the tree chain.</param>
/// <param name="CoreMatrixAxes">For a train chain, the order of a core's axes [b_k, f₀, f₁, b_{k+1}] in its chain matrix.</param>
internal sealed record HierarchicalTuckerSchedule(string Name, ContractionChain Chain, IReadOnlyList<FactorTensor> Factors,
    HierarchicalTuckerTrain? Train, IReadOnlyList<int> CoreMatrixAxes)
{
    /// <summary>
    /// The names the chain reads: for a train chain, writes the computation of the cores of <paramref name="modes"/>
    /// and adds each core's role to the factors; for the tree chain, the factors themselves.
    /// </summary>
    public OpBodyNames ChainNames(OpBodyBuilder body, OpBodyNames io, IEnumerable<int> modes)
    {
        if (Train is null) return io;
        var names = io.Factors.ToDictionary();
        foreach (int mode in modes) names.Add(TensorTrainChain.CoreRole(mode), Train.EmitCoreMatrix(body, io, mode, CoreMatrixAxes));
        return io with { Factors = names };
    }
}

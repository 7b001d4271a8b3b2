using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Rebuilds a tensor train's dense tensor inside the graph, from its cores stored as initializers: on constants only,
/// so ONNX Runtime folds it into one initializer when the session loads.
/// </summary>
internal static class TensorTrainRebuild
{
    /// <summary>The cores as the rebuild reads them: core 0 as [n₀, r₁], core k as [r_k, n_k·r_{k+1}].</summary>
    public static IReadOnlyList<FactorTensor> Factors(TensorTrain train) =>
        Enumerable.Range(0, train.ModeSizes.Count).Select(k => FactorTensor.FromDoubles(TensorTrainChain.CoreRole(k),
            k == 0 ? [train.ModeSizes[0], train.Ranks[1]] : [train.Ranks[k], train.ModeSizes[k] * train.Ranks[k + 1]],
            train.Cores[k])).ToArray();

    /// <summary>
    /// Writes the rebuild: a (n₀⋯n_k) × r_{k+1} matrix grown one core at a time. Returns the name of the result,
    /// [n₀⋯n_{d−1}, 1], the tensor in mode order.
    /// </summary>
    public static string Emit(OpBodyBuilder body, TensorTrain train, OpBodyNames io)
    {
        var product = io.Factor(TensorTrainChain.CoreRole(0));
        for (int k = 1; k < train.ModeSizes.Count; k++)
        {
            var grown = body.Node("MatMul", $"rebuild{k}", [product, io.Factor(TensorTrainChain.CoreRole(k))]);
            product = body.Node("Reshape", $"rebuild{k}_rows", [grown, body.LayerInts($"rebuild{k}_shape", [-1, train.Ranks[k + 1]])]);
        }
        return product;
    }
}

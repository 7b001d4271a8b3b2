using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Folds a run of consecutive tensor-train cores into one matrix inside the graph, on constants only (ONNX Runtime folds
/// it into an initializer when the session loads): cores <c>first</c> … <c>last</c> give [b_first·n_first⋯n_last, b_{last+1}],
/// grown one core at a time. The first core is read as [b_first·n_first, b_{first+1}], every later core k as
/// [b_k, n_k·b_{k+1}] — both the core's own row-major layout, so nothing is transposed.
/// </summary>
internal static class TensorTrainFold
{
    /// <summary>Cores <paramref name="first"/> … <paramref name="last"/> as the fold reads them, under <see cref="TensorTrainChain.CoreRole"/>.</summary>
    public static IEnumerable<FactorTensor> Factors(TensorTrain train, int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(k => FactorTensor.FromDoubles(TensorTrainChain.CoreRole(k),
            k == first ? [train.Ranks[k] * train.ModeSizes[k], train.Ranks[k + 1]] : [train.Ranks[k], train.ModeSizes[k] * train.Ranks[k + 1]],
            train.Cores[k]));

    /// <summary>
    /// Writes the fold of cores <paramref name="first"/> … <paramref name="last"/> and returns the matrix's name; node labels
    /// and per-layer shape names are <paramref name="label"/> followed by the core's index.
    /// </summary>
    public static string Emit(OpBodyBuilder body, OpBodyNames io, TensorTrain train, int first, int last, string label)
    {
        var product = io.Factor(TensorTrainChain.CoreRole(first));
        for (int k = first + 1; k <= last; k++)
        {
            var grown = body.Node("MatMul", $"{label}{k}", [product, io.Factor(TensorTrainChain.CoreRole(k))]);
            product = body.Node("Reshape", $"{label}{k}_rows", [grown, body.LayerInts($"{label}{k}_shape", [-1, train.Ranks[k + 1]])]);
        }
        return product;
    }
}

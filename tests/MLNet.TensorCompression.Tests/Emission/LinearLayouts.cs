using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>How a fully connected layer is wired and fed in the tests, and the check that the emitted layer matches the dense one.</summary>
internal sealed record LinearLayout(string Name, LinearOptions Options, int[] LeadingDims, int Columns = 0)
{
    /// <summary>Every layout: x [B, N] through MatMul or Gemm, x [B, T, N], and W·x on [N, K] and [B, N, K].</summary>
    public static IReadOnlyList<LinearLayout> All { get; } =
    [
        new("rows", new LinearOptions(), [3]),
        new("rows_gemm", new LinearOptions(OpType: "Gemm"), [3]),
        new("leading_dims", new LinearOptions(), [2, 3]),
        new("weight_on_left", new LinearOptions(WeightOnLeft: true), [], Columns: 5),
        new("weight_on_left_batched", new LinearOptions(WeightOnLeft: true), [2], Columns: 5),
    ];

    /// <summary>The layout called <paramref name="name"/>.</summary>
    public static LinearLayout Named(string name) => All.Single(l => l.Name == name);

    /// <summary>Every (case, layout, mode, inline) combination, for DynamicData.</summary>
    public static IEnumerable<object[]> Combinations(IEnumerable<string> caseNames) =>
        from caseName in caseNames
        from layout in All
        from mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed }
        from inline in new[] { false, true }
        select new object[] { caseName, layout.Name, mode, inline };

    /// <summary>Emits the layer in the given form and checks its output against the dense layer to 1e-4 relative.</summary>
    public void AssertMatchesDense(FactorizedWeight weight, LayerExecutionMode mode, bool inline)
    {
        int n = weight.Layer.InputSize, m = weight.Layer.OutputSize;
        long[] inputShape = [.. LeadingDims.Select(d => (long)d), n, .. Columns > 0 ? new long[] { Columns } : []];
        long[] outputShape = [.. LeadingDims.Select(d => (long)d), m, .. Columns > 0 ? new long[] { Columns } : []];
        long?[] declaredInput = [.. LeadingDims.Select(_ => (long?)null), n, .. Columns > 0 ? new long?[] { null } : []];
        long?[] declaredOutput = [.. LeadingDims.Select(_ => (long?)null), m, .. Columns > 0 ? new long?[] { null } : []];
        var x = LayerScoring.Input(seed: 7, inputShape.Aggregate(1L, (a, b) => a * b));
        var expected = Options.WeightOnLeft ? DenseReference.WeightOnLeft(weight, x, Columns) : DenseReference.WeightOnRight(weight, x);

        var (actual, shape) = EmittedLayers.Score(weight, mode, inline, x, inputShape, declaredInput, declaredOutput);

        CollectionAssert.AreEqual(outputShape, shape);
        Assert.IsLessThan(1e-4, LayerScoring.RelativeError(expected, actual));
    }
}

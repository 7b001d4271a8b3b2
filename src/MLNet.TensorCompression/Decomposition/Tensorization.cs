using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// How a weight (a matrix or a convolution kernel) is reshaped into a d-way tensor for TT or HT.
/// <list type="bullet">
/// <item>Matrix W[M, N] with M = ∏mₖ, N = ∏nₖ: mode k is the pair (mₖ, nₖ) of size mₖ·nₖ, index iₖ·nₖ + jₖ
/// (interleaved, Novikov et al. 2015).</item>
/// <item>Conv kernel K[C_out, C_in, kh, kw] with C_in = ∏cₖ, C_out = ∏sₖ: mode 0 is the spatial pair (kh, kw),
/// then the channel pairs (cₖ, sₖ), index cₖ·|sₖ| + sₖ (Garipov et al. 2016), so a TT's first core is the spatial
/// filter bank F[kh·kw, r]. The channel pairs run from the least significant channel factor to the most significant:
/// after the spatial convolution the rank axis then sits next to the factor the next core contracts, which lets the
/// ONNX op run as a chain of MatMuls without transposes.</item>
/// </list>
/// Sizes that factor badly are handled, never rejected: a prime size gets one factor equal to itself and 1s elsewhere,
/// and a pair (1, 1) is dropped, so a layer whose sizes do not factor may end up with a single mode
/// (<see cref="ModeSizes"/> of length 1) — the caller's sign that it is not worth compressing.
/// </summary>
public sealed class Tensorization
{
    // Matrices aim for factors ≤ 16 (mode sizes ≤ 256), kernels for channel factors ≤ 8: the usual choices in the TT literature,
    // small enough for cheap cores, large enough to keep d (and the number of small bonds) low.
    private const int MatrixFactorTarget = 16;
    private const int ChannelFactorTarget = 8;
    private const int MaxModeCount = 8;

    private readonly int[] splitShape;
    private readonly int[] permutation;

    private Tensorization(int[] originalShape, int[] splitShape, int[] permutation, int[][] modeFactors)
    {
        OriginalShape = originalShape;
        this.splitShape = splitShape;
        this.permutation = permutation;
        ModeFactors = modeFactors;
        ModeSizes = modeFactors.Select(f => f.Aggregate(1, (a, b) => a * b)).ToArray();
    }

    /// <summary>Shape of the weight as stored: [M, N] or [C_out, C_in, kh, kw].</summary>
    public IReadOnlyList<int> OriginalShape { get; }

    /// <summary>Size of each tensor mode.</summary>
    public IReadOnlyList<int> ModeSizes { get; }

    /// <summary>The factor sizes that make up each mode: (mₖ, nₖ) for a matrix; (kh, kw) then (cₖ, sₖ) for a kernel.</summary>
    public IReadOnlyList<IReadOnlyList<int>> ModeFactors { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount => ModeSizes.Aggregate(1L, (a, b) => a * b);

    /// <summary>
    /// Tensorises a matrix of <paramref name="rows"/> × <paramref name="columns"/> with balanced factors.
    /// With no <paramref name="modeCount"/>, d is the smallest in 2..8 whose factors are all ≤ 16 (else the d with the smallest largest factor).
    /// </summary>
    public static Tensorization ForMatrix(int rows, int columns, int? modeCount = null)
    {
        RequirePositive(rows, nameof(rows));
        RequirePositive(columns, nameof(columns));
        int d = modeCount ?? ChooseModeCount(MatrixFactorTarget, rows, columns);
        RequireModeCount(d, nameof(modeCount));
        return ForMatrix(BalancedFactorization.Split(rows, d), BalancedFactorization.Split(columns, d));
    }

    /// <summary>Tensorises a matrix with the given row factors mₖ and column factors nₖ (equal counts).</summary>
    public static Tensorization ForMatrix(IReadOnlyList<int> rowFactors, IReadOnlyList<int> columnFactors)
    {
        RequireFactors(rowFactors, columnFactors, nameof(rowFactors), nameof(columnFactors));
        (var rowsKept, var columnsKept) = DropUnitPairs(rowFactors, columnFactors);
        int d = rowsKept.Length;
        // Split axes are [m0..m(d-1), n0..n(d-1)]; mode k gathers axes k and d+k.
        var split = rowsKept.Concat(columnsKept).ToArray();
        var permutation = Enumerable.Range(0, d).SelectMany(k => new[] { k, d + k }).ToArray();
        var modeFactors = Enumerable.Range(0, d).Select(k => new[] { rowsKept[k], columnsKept[k] }).ToArray();
        var shape = new[] { rowsKept.Aggregate(1, (a, b) => a * b), columnsKept.Aggregate(1, (a, b) => a * b) };
        return new Tensorization(shape, split, permutation, modeFactors);
    }

    /// <summary>
    /// Tensorises a convolution kernel [C_out, C_in, kh, kw] in the Garipov layout with balanced channel factors.
    /// With no <paramref name="channelModeCount"/>, the number of channel modes is the smallest in 1..8 whose factors are all ≤ 8.
    /// </summary>
    public static Tensorization ForConvKernel(int outChannels, int inChannels, int kernelHeight, int kernelWidth, int? channelModeCount = null)
    {
        RequirePositive(outChannels, nameof(outChannels));
        RequirePositive(inChannels, nameof(inChannels));
        int d = channelModeCount ?? ChooseModeCount(ChannelFactorTarget, outChannels, inChannels, minimum: 1);
        RequireModeCount(d, nameof(channelModeCount));
        return ForConvKernel(BalancedFactorization.Split(outChannels, d), BalancedFactorization.Split(inChannels, d), kernelHeight, kernelWidth);
    }

    /// <summary>
    /// Tensorises a convolution kernel with the given output-channel factors sₖ and input-channel factors cₖ, each list
    /// from the most significant factor to the least (C_in index = c₀·(c₁⋯) + …).
    /// </summary>
    public static Tensorization ForConvKernel(IReadOnlyList<int> outChannelFactors, IReadOnlyList<int> inChannelFactors, int kernelHeight, int kernelWidth)
    {
        RequirePositive(kernelHeight, nameof(kernelHeight));
        RequirePositive(kernelWidth, nameof(kernelWidth));
        RequireFactors(outChannelFactors, inChannelFactors, nameof(outChannelFactors), nameof(inChannelFactors));
        (var outKept, var inKept) = DropUnitPairs(outChannelFactors, inChannelFactors);
        int d = outKept.Length;
        // Split axes are [s0..s(d-1), c0..c(d-1), kh, kw] (index 0 most significant); mode 0 is (kh, kw), then the
        // pairs (c_k, s_k) from k = d-1 (least significant) down to 0.
        var split = outKept.Concat(inKept).Append(kernelHeight).Append(kernelWidth).ToArray();
        var fromLeastSignificant = Enumerable.Range(0, d).Reverse().ToArray();
        var permutation = new[] { 2 * d, 2 * d + 1 }.Concat(fromLeastSignificant.SelectMany(k => new[] { d + k, k })).ToArray();
        var modeFactors = new[] { new[] { kernelHeight, kernelWidth } }
            .Concat(fromLeastSignificant.Select(k => new[] { inKept[k], outKept[k] })).ToArray();
        var shape = new[] { outKept.Aggregate(1, (a, b) => a * b), inKept.Aggregate(1, (a, b) => a * b), kernelHeight, kernelWidth };
        return new Tensorization(shape, split, permutation, modeFactors);
    }

    /// <summary>Reorders a weight stored row-major in <see cref="OriginalShape"/> into the d-way tensor (in double).</summary>
    public double[] Fold(ReadOnlySpan<float> weight)
    {
        RequireLength(weight.Length, nameof(weight));
        var tensor = new double[weight.Length];
        TensorPermutation.Permute(weight, tensor.AsSpan(), splitShape, permutation);
        return tensor;
    }

    /// <summary>Reorders a d-way tensor back into a weight laid out in <see cref="OriginalShape"/>.</summary>
    public float[] Unfold(ReadOnlySpan<double> tensor)
    {
        RequireLength(tensor.Length, nameof(tensor));
        var weight = new float[tensor.Length];
        var permutedShape = permutation.Select(axis => splitShape[axis]).ToArray();
        TensorPermutation.Permute(tensor, weight.AsSpan(), permutedShape, TensorPermutation.Inverse(permutation));
        return weight;
    }

    /// <summary>Writes a weight laid out in <see cref="OriginalShape"/> into <paramref name="tensor"/> in tensor order (no allocation).</summary>
    internal void FoldInto(ReadOnlySpan<double> weight, Span<double> tensor) =>
        TensorPermutation.Permute(weight, tensor, splitShape, permutation);

    /// <summary>Writes a tensor back into <paramref name="weight"/> laid out in <see cref="OriginalShape"/> (no allocation).</summary>
    internal void UnfoldInto(ReadOnlySpan<double> tensor, Span<double> weight) =>
        TensorPermutation.Permute(tensor, weight, permutation.Select(axis => splitShape[axis]).ToArray(), TensorPermutation.Inverse(permutation));

    /// <summary>The modes written as factor products, e.g. <c>(8·14)(8·16)</c>.</summary>
    public override string ToString() => string.Concat(ModeFactors.Select(f => "(" + string.Join("·", f) + ")"));

    private static int ChooseModeCount(int factorTarget, int first, int second, int minimum = 2)
    {
        int bestCount = minimum, bestLargest = int.MaxValue;
        for (int d = minimum; d <= MaxModeCount; d++)
        {
            int largest = Math.Max(BalancedFactorization.Split(first, d)[0], BalancedFactorization.Split(second, d)[0]);
            if (largest <= factorTarget) return d;
            if (largest < bestLargest) (bestCount, bestLargest) = (d, largest);
        }
        return bestCount;
    }

    private static (int[] First, int[] Second) DropUnitPairs(IReadOnlyList<int> first, IReadOnlyList<int> second)
    {
        var kept = Enumerable.Range(0, first.Count).Where(k => first[k] != 1 || second[k] != 1).ToArray();
        if (kept.Length == 0) kept = [0]; // a 1×1 weight still needs one mode
        return (kept.Select(k => first[k]).ToArray(), kept.Select(k => second[k]).ToArray());
    }

    private void RequireLength(int length, string parameter)
    {
        if (length != ElementCount)
            throw new ArgumentException($"Expected {ElementCount} elements for shape [{string.Join(", ", OriginalShape)}] but got {length}.", parameter);
    }

    private static void RequireFactors(IReadOnlyList<int> first, IReadOnlyList<int> second, string firstName, string secondName)
    {
        ArgumentNullException.ThrowIfNull(first, firstName);
        ArgumentNullException.ThrowIfNull(second, secondName);
        if (first.Count == 0 || first.Count != second.Count)
            throw new ArgumentException($"{firstName} and {secondName} must have the same, non-zero number of factors ({first.Count} vs {second.Count}).", firstName);
        for (int k = 0; k < first.Count; k++)
        {
            if (first[k] < 1) throw new ArgumentOutOfRangeException(firstName, first[k], $"{firstName}[{k}] must be ≥ 1.");
            if (second[k] < 1) throw new ArgumentOutOfRangeException(secondName, second[k], $"{secondName}[{k}] must be ≥ 1.");
        }
    }

    private static void RequirePositive(int value, string parameter)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must be ≥ 1.");
    }

    private static void RequireModeCount(int d, string parameter)
    {
        if (d < 1 || d > MaxModeCount) throw new ArgumentOutOfRangeException(parameter, d, $"{parameter} must be between 1 and {MaxModeCount}.");
    }
}

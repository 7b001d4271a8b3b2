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
/// The <see cref="TensorLayout.Split"/> layouts give every factor a mode of its own instead (a kernel's (kh, kw) stays one
/// mode), and order them so that one bond of a tensor train separates the two sides: a matrix's row factors mₖ then its
/// column factors nₖ; a kernel's input-channel factors cₖ, the spatial mode, then the output-channel factors sₖ (each
/// side from its most significant factor), so that folding a side's cores gives the matrix [M, r], [r, N], [C_in, r₁]
/// or [r₂, C_out] without reordering.
/// <para>
/// Sizes that factor badly are handled, never rejected: a prime size gets one factor equal to itself and 1s elsewhere,
/// and a pair (1, 1) is dropped, so a layer whose sizes do not factor may end up with a single mode
/// (<see cref="ModeSizes"/> of length 1) — the caller's sign that it is not worth compressing. (Split layouts keep at
/// least one mode per side, a size-1 one if need be.)
/// </para>
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

    // Of the split axes, how many make up a matrix's rows (they come first); 0 for a kernel.
    private readonly int rowFactorCount;

    private Tensorization(int[] originalShape, int[] splitShape, int[] permutation, int[][] modeFactors,
        TensorLayout layout = TensorLayout.Interleaved, int leadingModeCount = 0, int rowFactorCount = 0)
    {
        OriginalShape = originalShape;
        Layout = layout;
        LeadingModeCount = leadingModeCount;
        this.rowFactorCount = rowFactorCount;
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

    /// <summary>How the sizes are ordered into modes.</summary>
    public TensorLayout Layout { get; }

    /// <summary>
    /// <see cref="TensorLayout.Split"/> only: the modes before the split — a matrix's row modes (the tensor train's bond
    /// after them separates rows from columns), a kernel's input-channel modes (the spatial mode comes next). 0 when interleaved.
    /// </summary>
    public int LeadingModeCount { get; }

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
        return new Tensorization(shape, split, permutation, modeFactors, rowFactorCount: d);
    }

    /// <summary>
    /// Tensorises a matrix in the <see cref="TensorLayout.Split"/> layout with balanced factors: each side gets the fewest
    /// factors (at most 4) that are all ≤ 16.
    /// </summary>
    public static Tensorization ForMatrixSplit(int rows, int columns)
    {
        RequirePositive(rows, nameof(rows));
        RequirePositive(columns, nameof(columns));
        return ForMatrixSplit(SideFactors(rows, MatrixFactorTarget), SideFactors(columns, MatrixFactorTarget));
    }

    /// <summary>
    /// Tensorises a matrix in the <see cref="TensorLayout.Split"/> layout: modes m₀, m₁, …, n₀, n₁, … (each list from the
    /// most significant factor; the counts may differ). Factors of 1 are dropped, keeping one mode per side.
    /// </summary>
    public static Tensorization ForMatrixSplit(IReadOnlyList<int> rowFactors, IReadOnlyList<int> columnFactors)
    {
        var rows = KeptSideFactors(rowFactors, nameof(rowFactors));
        var columns = KeptSideFactors(columnFactors, nameof(columnFactors));
        var split = rows.Concat(columns).ToArray();
        if (split.Length > MaxModeCount)
            throw new ArgumentException($"{split.Length} modes; a split matrix takes at most {MaxModeCount}.", nameof(rowFactors));
        var shape = new[] { Product(rows), Product(columns) };
        return new Tensorization(shape, split, Enumerable.Range(0, split.Length).ToArray(), split.Select(f => new[] { f }).ToArray(),
            TensorLayout.Split, leadingModeCount: rows.Length, rowFactorCount: rows.Length);
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

    /// <summary>
    /// Tensorises a convolution kernel in the <see cref="TensorLayout.Split"/> layout with balanced channel factors: each
    /// side gets the fewest factors (at most 4) that are all ≤ 8.
    /// </summary>
    public static Tensorization ForConvKernelSplit(int outChannels, int inChannels, int kernelHeight, int kernelWidth)
    {
        RequirePositive(outChannels, nameof(outChannels));
        RequirePositive(inChannels, nameof(inChannels));
        return ForConvKernelSplit(SideFactors(outChannels, ChannelFactorTarget), SideFactors(inChannels, ChannelFactorTarget), kernelHeight, kernelWidth);
    }

    /// <summary>
    /// Tensorises a convolution kernel in the <see cref="TensorLayout.Split"/> layout: modes c₀, c₁, …, (kh·kw), s₀, s₁, …
    /// (each channel list from the most significant factor; the counts may differ). Factors of 1 are dropped, keeping one
    /// mode per side.
    /// </summary>
    public static Tensorization ForConvKernelSplit(IReadOnlyList<int> outChannelFactors, IReadOnlyList<int> inChannelFactors, int kernelHeight, int kernelWidth)
    {
        RequirePositive(kernelHeight, nameof(kernelHeight));
        RequirePositive(kernelWidth, nameof(kernelWidth));
        var outputs = KeptSideFactors(outChannelFactors, nameof(outChannelFactors));
        var inputs = KeptSideFactors(inChannelFactors, nameof(inChannelFactors));
        int b = outputs.Length, a = inputs.Length;
        if (a + b + 1 > MaxModeCount)
            throw new ArgumentException($"{a + b + 1} modes; a split kernel takes at most {MaxModeCount}.", nameof(outChannelFactors));
        // Split axes are [s0..s(b-1), c0..c(a-1), kh, kw]; the modes take the c's, (kh, kw), then the s's.
        var split = outputs.Concat(inputs).Append(kernelHeight).Append(kernelWidth).ToArray();
        var permutation = Enumerable.Range(b, a).Append(a + b).Append(a + b + 1).Concat(Enumerable.Range(0, b)).ToArray();
        var modeFactors = inputs.Select(c => new[] { c }).Append([kernelHeight, kernelWidth]).Concat(outputs.Select(s => new[] { s })).ToArray();
        var shape = new[] { Product(outputs), Product(inputs), kernelHeight, kernelWidth };
        return new Tensorization(shape, split, permutation, modeFactors, TensorLayout.Split, leadingModeCount: a);
    }

    /// <summary>
    /// The hierarchical Tucker tree whose root separates the split's sides — rows | columns; input channels |
    /// (spatial | output channels) — or null for an interleaved layout (which takes the balanced tree).
    /// </summary>
    internal DimensionTree? SplitTree() => Layout != TensorLayout.Split ? null
        : DimensionTree.SplitAt(ModeSizes.Count, LeadingModeCount, isolateFirstTrailingMode: OriginalShape.Count == 4);

    /// <summary>The tensor in mode order viewed with one axis per factor: <see cref="ModeFactors"/> flattened.</summary>
    internal IReadOnlyList<int> FactorShape => permutation.Select(axis => splitShape[axis]).ToArray();

    /// <summary>
    /// The Transpose that takes the tensor viewed in <see cref="FactorShape"/> to the stored weight's factor axes
    /// (then a Reshape gives <see cref="OriginalShape"/>); <paramref name="transposeMatrix"/> gives a matrix's Wᵀ instead.
    /// </summary>
    internal int[] UnfoldPermutation(bool transposeMatrix = false)
    {
        var inverse = TensorPermutation.Inverse(permutation);
        if (!transposeMatrix) return inverse;
        if (OriginalShape.Count != 2) throw new InvalidOperationException("Only a matrix has a transpose.");
        return inverse.Skip(rowFactorCount).Concat(inverse.Take(rowFactorCount)).ToArray();
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
    /// <remarks>
    /// A split layout marks the split with <c>|</c>, e.g. <c>(8)(8)(8)|(16)(14)(28)</c>.
    /// </remarks>
    public override string ToString() => Layout == TensorLayout.Split
        ? Modes(0, LeadingModeCount) + "|" + Modes(LeadingModeCount, ModeFactors.Count - LeadingModeCount)
        : Modes(0, ModeFactors.Count);

    private string Modes(int start, int count) => string.Concat(ModeFactors.Skip(start).Take(count).Select(f => "(" + string.Join("·", f) + ")"));

    // A split side: the fewest factors (at most 4) that are all ≤ target, else the count with the smallest largest factor.
    private static int[] SideFactors(int size, int factorTarget)
    {
        int[]? best = null;
        for (int count = 1; count <= MaxModeCount / 2; count++)
        {
            var factors = BalancedFactorization.Split(size, count);
            if (factors[0] <= factorTarget) return factors;
            if (best is null || factors[0] < best[0]) best = factors;
        }
        return best!;
    }

    private static int[] KeptSideFactors(IReadOnlyList<int> factors, string parameter)
    {
        ArgumentNullException.ThrowIfNull(factors, parameter);
        if (factors.Count == 0) throw new ArgumentException($"{parameter} must not be empty.", parameter);
        for (int k = 0; k < factors.Count; k++)
            if (factors[k] < 1) throw new ArgumentOutOfRangeException(parameter, factors[k], $"{parameter}[{k}] must be ≥ 1.");
        var kept = factors.Where(f => f != 1).ToArray();
        return kept.Length == 0 ? [1] : kept;
    }

    private static int Product(IEnumerable<int> factors) => factors.Aggregate(1, (a, b) => a * b);

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

using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// A tensor in tensor-train (TT) format: A[i₀,…,i_{d−1}] = G₀[i₀]·G₁[i₁]·…·G_{d−1}[i_{d−1}], where core k is
/// G_k[r_k, n_k, r_{k+1}] (row-major) and r₀ = r_d = 1.
/// </summary>
public sealed class TensorTrain : FactorizedTensor
{
    /// <summary>Builds a tensor train from its cores; core k must hold ranks[k]·modeSizes[k]·ranks[k+1] values.</summary>
    /// <exception cref="ArgumentException">The ranks, sizes and cores do not fit together.</exception>
    public TensorTrain(IReadOnlyList<int> modeSizes, IReadOnlyList<int> ranks, IReadOnlyList<double[]> cores)
        : base(DimensionTree.ForTrain(Validate(modeSizes, ranks, cores)), modeSizes, ranks, cores)
    {
    }

    private static int Validate(IReadOnlyList<int> modeSizes, IReadOnlyList<int> ranks, IReadOnlyList<double[]> cores)
    {
        ArgumentNullException.ThrowIfNull(modeSizes);
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(cores);
        int d = modeSizes.Count;
        if (d == 0) throw new ArgumentException("A tensor train needs at least one mode.", nameof(modeSizes));
        if (ranks.Count != d + 1 || ranks[0] != 1 || ranks[d] != 1)
            throw new ArgumentException($"Ranks must have d+1 = {d + 1} entries starting and ending with 1; got [{string.Join(", ", ranks)}].", nameof(ranks));
        if (cores.Count != d) throw new ArgumentException($"Expected {d} cores, got {cores.Count}.", nameof(cores));
        for (int k = 0; k < d; k++)
        {
            if (modeSizes[k] < 1 || ranks[k] < 1)
                throw new ArgumentOutOfRangeException(nameof(modeSizes), $"Mode size and rank at position {k} must be ≥ 1.");
            long expected = (long)ranks[k] * modeSizes[k] * ranks[k + 1];
            if (cores[k] is null || cores[k].Length != expected)
                throw new ArgumentException($"Core {k} must hold {ranks[k]}×{modeSizes[k]}×{ranks[k + 1]} = {expected} values; it holds {cores[k]?.Length ?? 0}.", nameof(cores));
        }
        return d;
    }

    /// <inheritdoc />
    public override LayerFormat Format => LayerFormat.TensorTrain;

    /// <summary>Core k, row-major [r_k, n_k, r_{k+1}] (the same arrays as <see cref="FactorizedTensor.Factors"/>).</summary>
    public IReadOnlyList<double[]> Cores => Factors;

    /// <summary>
    /// Returns a tensor train with the same mode sizes and ranks but other core values, e.g. after an optimisation
    /// step. The arrays are used as given, not copied.
    /// </summary>
    /// <param name="cores">One core per mode, each of the same length as the corresponding <see cref="Cores"/> entry.</param>
    /// <exception cref="ArgumentException">The core count or a core's length differs.</exception>
    public TensorTrain WithCores(IReadOnlyList<double[]> cores) => new(ModeSizes, Ranks, cores);

    /// <inheritdoc />
    public override FactorizedTensor WithFactors(IReadOnlyList<double[]> factors) => WithCores(factors);

    /// <inheritdoc />
    public override double[][] ReconstructionGradient(ReadOnlySpan<double> denseGradient) =>
        TensorTrainGradient.Backward(this, denseGradient, RequireDenseLength(denseGradient));

    /// <summary>
    /// TT-SVD (Oseledets 2011): sweeps left to right, truncating each unfolding with the per-bond threshold
    /// δ = ε‖A‖_F/√(d−1), so that ‖A − Â‖_F ≤ ε‖A‖_F when no rank cap binds. The input is not modified.
    /// </summary>
    /// <param name="tensor">The dense tensor, row-major over <paramref name="modeSizes"/>.</param>
    /// <param name="modeSizes">Sizes of the d modes.</param>
    /// <param name="truncation">Rank caps (one, or one per bond: d−1 values) and tolerance.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a value is not finite, or a truncation setting is out of range.</exception>
    public static DecompositionResult<TensorTrain> Decompose(double[] tensor, IReadOnlyList<int> modeSizes, Truncation truncation)
    {
        ArgumentNullException.ThrowIfNull(truncation);
        double normSquared = TensorInput.ValidateAndMeasure(tensor, modeSizes);
        int d = modeSizes.Count;
        truncation.Validate(Math.Max(d - 1, 0), "bond");
        if (d == 1) return new(new TensorTrain(modeSizes, [1, 1], [(double[])tensor.Clone()]), 0, truncation.Tolerance);

        double perBondBudget = truncation.Tolerance * truncation.Tolerance * normSquared / (d - 1);
        var ranks = new int[d + 1];
        ranks[0] = ranks[d] = 1;
        var cores = new double[d][];
        double discarded = 0;

        // Invariant: remainder holds the not-yet-factored part as a (r_k·n_k) × (n_{k+1}⋯n_{d−1}) matrix.
        var remainder = new Matrix(modeSizes[0], tensor.Length / modeSizes[0], tensor);
        for (int k = 0; k < d - 1; k++)
        {
            var svd = TruncatedSvd.Compute(remainder, truncation.RankCapAt(k), perBondBudget, seed: k);
            cores[k] = svd.U.Data;
            ranks[k + 1] = svd.Rank;
            discarded += svd.DiscardedNormSquared;
            var projected = svd.ScaleRightFactorInPlace(); // Uᵀ·remainder, r × (n_{k+1}⋯)
            remainder = projected.Reshape(svd.Rank * modeSizes[k + 1], projected.Cols / modeSizes[k + 1]);
        }
        cores[d - 1] = remainder.Data;
        var train = new TensorTrain(modeSizes, ranks, cores);
        return new(train, TensorInput.RelativeError(discarded, normSquared), truncation.Tolerance);
    }

    /// <inheritdoc />
    internal override (Matrix Leading, Matrix Trailing)? SplitAtBond(int leadingModes)
    {
        var (leading, trailing) = SidesAt(leadingModes);
        int rank = Ranks[leadingModes];
        double[] front = leading.ToDense(), back = trailing.ToDense();
        return (new Matrix(front.Length / rank, rank, front), new Matrix(rank, back.Length / rank, back));
    }

    /// <inheritdoc />
    internal override double[][] SplitGradient(int leadingModes, Matrix leadingGradient, Matrix trailingGradient)
    {
        var (leading, trailing) = SidesAt(leadingModes);
        var front = leading.ReconstructionGradient(leadingGradient.Data);
        var back = trailing.ReconstructionGradient(trailingGradient.Data);
        return [.. front.Take(leadingModes), .. back.Skip(1)];
    }

    // The cores on either side of bond b as tensor trains of their own, the bond an extra mode closed by an identity
    // core: the leading train is [n₀⋯n_{b−1}, r_b] when dense, the trailing one [r_b, n_b⋯n_{d−1}].
    private (TensorTrain Leading, TensorTrain Trailing) SidesAt(int bond)
    {
        if (bond < 1 || bond >= ModeSizes.Count)
            throw new ArgumentOutOfRangeException(nameof(bond), bond, $"A bond of a {ModeSizes.Count}-mode tensor train lies between 1 and {ModeSizes.Count - 1} modes in.");
        int rank = Ranks[bond];
        var identity = Matrix.Identity(rank).Data;
        var leading = new TensorTrain([.. ModeSizes.Take(bond), rank], [.. Ranks.Take(bond + 1), 1], [.. Cores.Take(bond), identity]);
        var trailing = new TensorTrain([rank, .. ModeSizes.Skip(bond)], [1, .. Ranks.Skip(bond)], [identity, .. Cores.Skip(bond)]);
        return (leading, trailing);
    }

    /// <inheritdoc />
    public override double[] ToDense()
    {
        var modeSizes = ModeSizes;
        var ranks = Ranks;
        var cores = Cores;
        // Grows a (n₀⋯n_k) × r_{k+1} matrix one core at a time.
        var product = new Matrix(modeSizes[0], ranks[1], (double[])cores[0].Clone());
        for (int k = 1; k < cores.Count; k++)
        {
            var core = new Matrix(ranks[k], modeSizes[k] * ranks[k + 1], cores[k]);
            var next = Gemm.Multiply(product, core);
            product = next.Reshape(next.Rows * modeSizes[k], ranks[k + 1]);
        }
        return product.Data;
    }
}

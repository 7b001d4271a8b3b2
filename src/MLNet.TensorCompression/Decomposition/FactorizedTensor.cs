using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// A tensor stored as factors over a <see cref="DimensionTree"/>: the common face of <see cref="TensorTrain"/> (the
/// caterpillar tree's shape, one core per mode) and <see cref="HierarchicalTucker"/> (any tree: leaf frames and transfer
/// tensors). Everything downstream of decomposition — re-fitting, emission, the report — works on this type; only code
/// that lays the factors out for a particular execution form needs the concrete shape.
/// </summary>
public abstract class FactorizedTensor
{
    private readonly int[] modeSizes;
    private readonly int[] ranks;
    private readonly double[][] factors;

    /// <summary>Stores the (already validated) sizes, ranks and factors.</summary>
    private protected FactorizedTensor(DimensionTree tree, IReadOnlyList<int> modeSizes, IReadOnlyList<int> ranks, IReadOnlyList<double[]> factors)
    {
        Tree = tree;
        this.modeSizes = modeSizes.ToArray();
        this.ranks = ranks.ToArray();
        this.factors = factors.ToArray();
    }

    /// <summary><see cref="LayerFormat.TensorTrain"/> or <see cref="LayerFormat.HierarchicalTucker"/>.</summary>
    public abstract LayerFormat Format { get; }

    /// <summary>The dimension tree: the caterpillar ((((0,1),2),3)…) for a tensor train (a single leaf when d = 1).</summary>
    public DimensionTree Tree { get; }

    /// <summary>The mode sizes n₀…n_{d−1}.</summary>
    public IReadOnlyList<int> ModeSizes => modeSizes;

    /// <summary>The ranks: a tensor train's bonds r₀…r_d (r₀ = r_d = 1), or every HT node's rank by node id (the root's is 1).</summary>
    public IReadOnlyList<int> Ranks => ranks;

    /// <summary>The factors: a tensor train's cores G_k[r_k, n_k, r_{k+1}], or HT leaf frames and transfer tensors by node id.</summary>
    public IReadOnlyList<double[]> Factors => factors;

    /// <summary>
    /// The tensor as the product of two matrices through the bond between modes [0, <paramref name="leadingModes"/>) and
    /// the rest: A = Leading (∏ leading n × r) times Trailing (r × ∏ trailing n), each built from the factors on its
    /// side alone; null when no single bond separates those modes (an HT tree whose root does not split there).
    /// </summary>
    internal abstract (Matrix Leading, Matrix Trailing)? SplitAtBond(int leadingModes);

    /// <summary>
    /// Every factor's gradient given the gradients of the two sides of <see cref="SplitAtBond"/> (same shapes): the
    /// backward pass of the product without ever forming the dense tensor.
    /// </summary>
    internal abstract double[][] SplitGradient(int leadingModes, Matrix leadingGradient, Matrix trailingGradient);

    /// <summary>Number of stored values, the sum of the factors' lengths.</summary>
    public long ParameterCount => factors.Sum(f => (long)f.Length);

    /// <summary>
    /// Decomposes a dense tensor into <paramref name="format"/>: TT-SVD for a tensor train, HT-SVD on the balanced tree
    /// for hierarchical Tucker, or on <paramref name="tree"/> when given (see <see cref="TensorTrain.Decompose"/> and
    /// <see cref="HierarchicalTucker.Decompose"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The format is not a factorised one, or as the decompositions throw.</exception>
    public static DecompositionResult<FactorizedTensor> Decompose(LayerFormat format, double[] tensor, IReadOnlyList<int> modeSizes, Truncation truncation, DimensionTree? tree = null) => format switch
    {
        LayerFormat.TensorTrain => Widen(TensorTrain.Decompose(tensor, modeSizes, truncation)),
        LayerFormat.HierarchicalTucker => Widen(HierarchicalTucker.Decompose(tensor, modeSizes, tree, truncation)),
        _ => throw new ArgumentException($"{format} is not a factorised format.", nameof(format)),
    };

    private static DecompositionResult<FactorizedTensor> Widen<T>(DecompositionResult<T> result) where T : FactorizedTensor =>
        new(result.Value, result.RelativeError, result.Tolerance);

    /// <summary>Contracts the factors back into a dense row-major tensor over <see cref="ModeSizes"/>.</summary>
    public abstract double[] ToDense();

    /// <summary>
    /// The same format, sizes and ranks with other factor values, e.g. after an optimisation step. The arrays are used
    /// as given, not copied.
    /// </summary>
    /// <param name="factors">One array per factor, each as long as the corresponding <see cref="Factors"/> entry.</param>
    /// <exception cref="ArgumentException">The factor count or a factor's length differs.</exception>
    public abstract FactorizedTensor WithFactors(IReadOnlyList<double[]> factors);

    /// <summary>
    /// Reverse-mode derivative of <see cref="ToDense"/>: given dL/dA for the dense tensor A (row-major, ∏n_k values),
    /// returns dL/d(factor) for every factor, in the layouts of <see cref="Factors"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="denseGradient"/> does not hold ∏n_k values.</exception>
    public abstract double[][] ReconstructionGradient(ReadOnlySpan<double> denseGradient);

    /// <summary>Throws unless <paramref name="denseGradient"/> holds one value per dense element.</summary>
    private protected long RequireDenseLength(ReadOnlySpan<double> denseGradient)
    {
        long denseLength = modeSizes.Aggregate(1L, (product, size) => product * size);
        if (denseGradient.Length != denseLength)
            throw new ArgumentException($"The dense gradient must hold {denseLength} values (∏ of the mode sizes [{string.Join(", ", modeSizes)}]); it holds {denseGradient.Length}.", nameof(denseGradient));
        return denseLength;
    }
}

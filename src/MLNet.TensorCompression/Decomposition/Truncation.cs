namespace MLNet.TensorCompression.Decomposition;

/// <summary>
/// How far a TT-SVD or HT-SVD may truncate: a rank cap (one for all bonds/nodes, or one each)
/// and/or a relative error tolerance ε. With only a tolerance the result satisfies
/// ‖A − Â‖_F ≤ ε‖A‖_F; a rank cap that binds takes precedence, and the achieved error is reported.
/// </summary>
public sealed record Truncation
{
    /// <summary>Rank cap for every bond (TT) or node (HT). Default: no cap.</summary>
    public int MaxRank { get; init; } = int.MaxValue;

    /// <summary>
    /// Optional per-bond (TT: d−1 values, bond k between modes k and k+1) or per-node
    /// (HT: one per tree node, indexed by <see cref="DimensionTreeNode.Id"/>; the root's value is ignored) rank caps.
    /// Combined with <see cref="MaxRank"/> by taking the smaller.
    /// </summary>
    public IReadOnlyList<int>? MaxRanks { get; init; }

    /// <summary>Relative Frobenius-norm tolerance ε ≥ 0. Default 0: truncate only exact zeros (and to the rank caps).</summary>
    public double Tolerance { get; init; }

    /// <summary>Truncation to at most <paramref name="maxRank"/> everywhere.</summary>
    public static Truncation ToRank(int maxRank) => new() { MaxRank = maxRank };

    /// <summary>Truncation to a relative error of at most <paramref name="tolerance"/>.</summary>
    public static Truncation ToTolerance(double tolerance) => new() { Tolerance = tolerance };

    /// <summary>Throws if a value is out of range; <paramref name="positions"/> is the number of bonds or nodes.</summary>
    internal void Validate(int positions, string positionName)
    {
        if (MaxRank <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRank), MaxRank, "MaxRank must be at least 1.");
        if (double.IsNaN(Tolerance) || double.IsInfinity(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be a finite number ≥ 0.");
        if (MaxRanks is null) return;
        if (MaxRanks.Count != positions)
            throw new ArgumentException($"MaxRanks has {MaxRanks.Count} values but there are {positions} {positionName}s.", nameof(MaxRanks));
        for (int i = 0; i < MaxRanks.Count; i++)
            if (MaxRanks[i] <= 0)
                throw new ArgumentOutOfRangeException(nameof(MaxRanks), MaxRanks[i], $"MaxRanks[{i}] ({positionName} {i}) must be at least 1.");
    }

    /// <summary>The rank cap at bond or node <paramref name="position"/>.</summary>
    internal int RankCapAt(int position) => MaxRanks is null ? MaxRank : Math.Min(MaxRank, MaxRanks[position]);
}

namespace MLNet.TensorCompression.Emission;

/// <summary>One static axis of the activation inside a <see cref="ContractionChain"/>.</summary>
/// <param name="Key">What the axis indexes: see <see cref="InputKey"/>, <see cref="OutputKey"/> and <see cref="RankKey"/>.</param>
/// <param name="Size">Its extent.</param>
internal sealed record ChainAxis(string Key, int Size)
{
    /// <summary>Key of the axis of mode k's input factor (n_k, or c_k of a convolution).</summary>
    public static string InputKey(int mode) => $"in{mode}";

    /// <summary>Key of the axis of mode k's output factor (m_k, or s_k of a convolution).</summary>
    public static string OutputKey(int mode) => $"out{mode}";

    /// <summary>Key of a rank axis, by the number of the bond (TT) or tree node (HT) it belongs to.</summary>
    public static string RankKey(int bond) => $"r{bond}";

    /// <inheritdoc />
    public override string ToString() => $"{Key}:{Size}";
}

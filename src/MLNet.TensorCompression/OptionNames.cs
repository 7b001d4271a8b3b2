using MLNet.TensorCompression.Decomposition;

namespace MLNet.TensorCompression;

/// <summary>
/// The command line's names for the option values (<c>--policy tt</c>, <c>--layer NAME=ht</c>, …), in one place for every
/// command and for <see cref="LayerOverride.Parse"/>. Lookups ignore case; the order is the order names are listed in messages.
/// </summary>
internal static class OptionNames
{
    /// <summary>Names of <see cref="CompressionPolicy"/> values.</summary>
    public static readonly OrderedDictionary<string, CompressionPolicy> Policies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hybrid"] = CompressionPolicy.Hybrid, ["tt"] = CompressionPolicy.TensorTrain, ["ht"] = CompressionPolicy.HierarchicalTucker,
    };

    /// <summary>Names of <see cref="LayerFormat"/> values, for per-layer overrides.</summary>
    public static readonly OrderedDictionary<string, LayerFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tt"] = LayerFormat.TensorTrain, ["ht"] = LayerFormat.HierarchicalTucker, ["dense"] = LayerFormat.Dense,
    };

    /// <summary>Names of <see cref="LayerExecutionMode"/> values.</summary>
    public static readonly OrderedDictionary<string, LayerExecutionMode> Modes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = LayerExecutionMode.Auto, ["factorized"] = LayerExecutionMode.Factorized, ["reconstructed"] = LayerExecutionMode.Reconstructed,
    };

    /// <summary>Names of <see cref="TensorLayout"/> values.</summary>
    public static readonly OrderedDictionary<string, TensorLayout> Layouts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["interleaved"] = TensorLayout.Interleaved, ["split"] = TensorLayout.Split,
    };

    /// <summary>Names of <see cref="CompressionObjective"/> values.</summary>
    public static readonly OrderedDictionary<string, CompressionObjective> Objectives = new(StringComparer.OrdinalIgnoreCase)
    {
        ["size"] = CompressionObjective.Size, ["latency"] = CompressionObjective.Latency, ["balanced"] = CompressionObjective.Balanced,
    };

    /// <summary>Names of <see cref="RankAllocation"/> values.</summary>
    public static readonly OrderedDictionary<string, RankAllocation> Allocations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["largest"] = RankAllocation.LeastLargestError, ["total"] = RankAllocation.LeastTotalError, ["uniform"] = RankAllocation.UniformRank,
        ["output"] = RankAllocation.OutputError,
    };

    /// <summary>The names as a choice in prose: "a, b or c".</summary>
    public static string OneOf<T>(OrderedDictionary<string, T> names) =>
        names.Count == 1 ? names.GetAt(0).Key : $"{string.Join(", ", names.Keys.Take(names.Count - 1))} or {names.GetAt(names.Count - 1).Key}";

    /// <summary>The names as alternatives in a synopsis: "a|b|c".</summary>
    public static string Alternatives<T>(OrderedDictionary<string, T> names) => string.Join("|", names.Keys);
}

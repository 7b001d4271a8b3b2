namespace MLNet.TensorCompression.Emission;

/// <summary>The names a factorised op's body reads and writes: formal names in a function, graph names inline.</summary>
/// <param name="Input">The activation.</param>
/// <param name="Factors">The name of each factor, by its role.</param>
/// <param name="Bias">The bias, or null when the layer has none.</param>
/// <param name="Output">The layer's output.</param>
internal sealed record OpBodyNames(string Input, IReadOnlyDictionary<string, string> Factors, string? Bias, string Output)
{
    /// <summary>The name of the factor with the given role.</summary>
    public string Factor(string role) =>
        Factors.TryGetValue(role, out var name) ? name : throw new InvalidOperationException($"The op has no factor '{role}'.");
}

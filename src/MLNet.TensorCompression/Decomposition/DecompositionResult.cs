namespace MLNet.TensorCompression.Decomposition;

/// <summary>A decomposed tensor together with how well it approximates the input.</summary>
/// <typeparam name="TFormat">The format, e.g. <see cref="TensorTrain"/> or <see cref="HierarchicalTucker"/>.</typeparam>
/// <param name="Value">The decomposition.</param>
/// <param name="RelativeError">
/// Achieved ‖A − Â‖_F / ‖A‖_F, from the discarded singular energy of every truncation (exact up to rounding;
/// values below about 1e-8 are at the level of that rounding). 0 for a zero tensor.
/// </param>
/// <param name="Tolerance">The requested tolerance ε; <paramref name="RelativeError"/> ≤ ε unless a rank cap bound.</param>
public sealed record DecompositionResult<TFormat>(TFormat Value, double RelativeError, double Tolerance)
{
    /// <summary>True when the achieved error is within the requested tolerance.</summary>
    public bool ToleranceMet => RelativeError <= Tolerance * (1 + 1e-9);
}

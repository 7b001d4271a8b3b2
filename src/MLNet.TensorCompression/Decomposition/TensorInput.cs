using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Decomposition;

/// <summary>Checks shared by the decompositions: a dense tensor's shape agrees with its data, and its values are finite.</summary>
internal static class TensorInput
{
    /// <summary>Validates and returns ‖tensor‖_F².</summary>
    public static double ValidateAndMeasure(double[] tensor, IReadOnlyList<int> modeSizes)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(modeSizes);
        if (modeSizes.Count == 0)
            throw new ArgumentException("A tensor needs at least one mode.", nameof(modeSizes));
        long count = 1;
        for (int k = 0; k < modeSizes.Count; k++)
        {
            if (modeSizes[k] < 1)
                throw new ArgumentOutOfRangeException(nameof(modeSizes), modeSizes[k], $"Mode {k} has size {modeSizes[k]}; sizes must be ≥ 1.");
            count *= modeSizes[k];
        }
        if (count != tensor.Length)
            throw new ArgumentException($"Mode sizes [{string.Join(", ", modeSizes)}] describe {count} elements but the tensor has {tensor.Length}.", nameof(tensor));
        double normSquared = new Matrix(1, tensor.Length, tensor).FrobeniusNormSquared();
        if (double.IsFinite(normSquared)) return normSquared;
        // Only a non-finite sum needs the element-wise search.
        int bad = FirstNonFinite(tensor);
        throw new ArgumentException(bad >= 0
            ? $"The tensor holds {tensor[bad]} at element {bad}; weights must be finite."
            : "The tensor's squared norm overflows double; weights of that size are not usable.", nameof(tensor));
    }

    /// <summary>‖A − Â‖/‖A‖ from the discarded squared energy; 0 for a zero tensor.</summary>
    public static double RelativeError(double discardedNormSquared, double normSquared) =>
        normSquared == 0 ? 0 : Math.Sqrt(Math.Max(0, discardedNormSquared) / normSquared);

    private static int FirstNonFinite(double[] tensor)
    {
        for (int i = 0; i < tensor.Length; i++)
            if (!double.IsFinite(tensor[i])) return i;
        return -1;
    }
}

namespace MLNet.TensorCompression.Decomposition;

/// <summary>Splits a positive integer into a fixed number of factors that are as equal as possible.</summary>
internal static class BalancedFactorization
{
    /// <summary>
    /// The factors of <paramref name="value"/> into exactly <paramref name="count"/> parts (1s allowed) with the smallest
    /// possible largest factor, ties broken by the largest smallest factor; sorted in descending order.
    /// A prime gives [p, 1, 1, …]: that is the honest answer, and callers treat it as "factors badly".
    /// </summary>
    public static int[] Split(int value, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int[] divisors = Enumerable.Range(1, (int)Math.Sqrt(value) + 1).Where(k => value % k == 0 && (long)k * k <= value).ToArray();
        var allDivisors = divisors.Concat(divisors.Select(k => value / k)).Distinct().Order().ToArray();

        int[]? best = null;
        var current = new int[count];
        Search(value, 0, 1);
        Array.Reverse(best!);
        return best!;

        // Enumerates non-decreasing factor lists f0 ≤ f1 ≤ … whose product is value (small: a few hundred divisors at most).
        void Search(int remaining, int position, int minFactor)
        {
            if (position == count - 1)
            {
                if (remaining < minFactor) return;
                current[position] = remaining;
                if (best is null || IsBetter(current, best)) best = (int[])current.Clone();
                return;
            }
            foreach (int factor in allDivisors)
            {
                if (factor < minFactor || remaining % factor != 0) continue;
                // The rest must be at least factor^(parts left), else the list cannot stay non-decreasing.
                if (Math.Pow(factor, count - position) > remaining * (1 + 1e-9)) break;
                current[position] = factor;
                Search(remaining / factor, position + 1, factor);
            }
        }
    }

    // Lists are sorted ascending: the last entry is the largest, the first the smallest.
    private static bool IsBetter(int[] candidate, int[] incumbent) =>
        candidate[^1] < incumbent[^1] || (candidate[^1] == incumbent[^1] && candidate[0] > incumbent[0]);
}

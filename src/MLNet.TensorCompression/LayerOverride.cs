using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNet.TensorCompression;

/// <summary>
/// A per-layer choice that beats the policy: layers whose node name matches <see cref="Pattern"/> (a glob with
/// <c>*</c> and <c>?</c>) get <see cref="Format"/>, and <see cref="MaxRank"/> when given. The first matching override wins.
/// </summary>
/// <param name="Pattern">Glob over node names, e.g. <c>/fc1/*</c> or <c>*conv2*</c>.</param>
/// <param name="Format">The format for matching layers.</param>
/// <param name="MaxRank">Rank cap for matching layers (fixed even under a target ratio), or null for the global setting.</param>
public sealed record LayerOverride(string Pattern, LayerFormat Format, int? MaxRank = null)
{
    /// <summary>True when <paramref name="layerName"/> matches the pattern (whole name, case-sensitive).</summary>
    public bool Matches(string layerName) =>
        Regex.IsMatch(layerName, "^" + Regex.Escape(Pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    /// <summary>Parses <c>NAME=tt|ht|dense[:RANK]</c>, the command line's <c>--layer</c> form.</summary>
    /// <exception cref="FormatException">The text is not of that form; the message quotes it.</exception>
    public static LayerOverride Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.LastIndexOf('=');
        if (equals <= 0 || equals == text.Length - 1)
            throw new FormatException(MustLookLike(text));
        var choice = text[(equals + 1)..].Split(':');
        if (!OptionNames.Formats.TryGetValue(choice[0], out var format))
            throw new FormatException($"Layer override '{text}': format '{choice[0]}' is not {OptionNames.OneOf(OptionNames.Formats)}.");
        int? rank = null;
        if (choice.Length == 2)
        {
            if (!int.TryParse(choice[1], NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1)
                throw new FormatException(choice[1].Length > 0 && choice[1].All(char.IsAsciiDigit) && value == 0 && choice[1].TrimStart('0').Length > 0
                    ? $"Layer override '{text}': rank {choice[1]} is too large (at most {int.MaxValue})."
                    : $"Layer override '{text}': rank '{choice[1]}' is not a whole number ≥ 1.");
            rank = value;
        }
        else if (choice.Length > 2)
        {
            throw new FormatException(MustLookLike(text));
        }
        return new LayerOverride(text[..equals], format, rank);
    }

    private static string MustLookLike(string text) => $"Layer override '{text}' must look like NAME={OptionNames.Alternatives(OptionNames.Formats)}[:RANK].";
}

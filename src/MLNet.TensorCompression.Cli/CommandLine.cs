using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>Positional arguments, <c>--name value</c> options (repeatable) and <c>--flag</c> switches of one command.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> flags = new(StringComparer.Ordinal);

    /// <param name="args">The command's arguments (without the command name).</param>
    /// <param name="valueOptions">Options that take a value; an alias is written "-o|--output".</param>
    /// <param name="flagOptions">Options that take none.</param>
    public CommandLine(string[] args, string[] valueOptions, string[]? flagOptions = null)
    {
        var aliases = valueOptions.Concat(flagOptions ?? [])
            .SelectMany(spec => spec.Split('|').Select(name => (name, canonical: spec.Split('|')[^1])))
            .ToDictionary(p => p.name, p => p.canonical, StringComparer.Ordinal);
        var takesValue = valueOptions.Select(spec => spec.Split('|')[^1]).ToHashSet(StringComparer.Ordinal);
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith('-') || args[i] == "-") { positional.Add(args[i]); continue; }
            if (!aliases.TryGetValue(args[i], out var name)) throw new UsageException($"unknown option '{args[i]}'");
            if (!takesValue.Contains(name)) { flags.Add(name); continue; }
            if (i + 1 >= args.Length) throw new UsageException($"option '{args[i]}' needs a value");
            if (!values.TryGetValue(name, out var list)) values[name] = list = [];
            list.Add(args[++i]);
        }
        Positional = positional;
    }

    public IReadOnlyList<string> Positional { get; }

    public bool Has(string flag) => flags.Contains(flag);

    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];

    public string? String(string name) => values.TryGetValue(name, out var list) ? list[^1] : null;

    public int? Int(string name, int minimum)
    {
        var text = String(name);
        if (text is null) return null;
        return WholeNumber(name, text, minimum);
    }

    /// <summary>
    /// <paramref name="text"/> as a whole number from <paramref name="minimum"/> to <see cref="int.MaxValue"/>; a number
    /// too large is told apart from one that is not a number.
    /// </summary>
    public static int WholeNumber(string name, string text, int minimum)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum) return value;
        if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var large) && large > int.MaxValue)
            throw new UsageException($"{name} {text} is too large: at most {int.MaxValue}");
        throw new UsageException($"{name} must be a whole number ≥ {minimum}; got '{text}'");
    }

    public double? Double(string name, double minimum)
    {
        var text = String(name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < minimum)
            throw new UsageException($"{name} must be a number ≥ {minimum}; got '{text}'");
        return value;
    }

    /// <summary>The value of <paramref name="name"/> as one of <paramref name="choices"/> (case-insensitive), or null when absent.</summary>
    public T? Choice<T>(string name, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        var text = String(name);
        if (text is null) return null;
        if (choices.TryGetValue(text.ToLowerInvariant(), out var value)) return value;
        throw new UsageException($"{name} must be one of {string.Join(", ", choices.Keys)}; got '{text}'");
    }
}

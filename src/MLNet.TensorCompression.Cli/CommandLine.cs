using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>Positional arguments and <c>--name value</c> options of one command.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> options = new(StringComparer.Ordinal);

    public CommandLine(string[] args, params string[] knownOptions)
    {
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) { positional.Add(args[i]); continue; }
            if (!knownOptions.Contains(args[i])) throw new UsageException($"unknown option '{args[i]}'");
            if (i + 1 >= args.Length) throw new UsageException($"option '{args[i]}' needs a value");
            options[args[i]] = args[++i];
        }
        Positional = positional;
    }

    public IReadOnlyList<string> Positional { get; }

    public int Int(string name, int fallback, int minimum)
    {
        if (!options.TryGetValue(name, out var text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < minimum)
            throw new UsageException($"{name} must be a whole number ≥ {minimum}; got '{text}'");
        return value;
    }

    public double Double(string name, double fallback, double minimum)
    {
        if (!options.TryGetValue(name, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value) || value < minimum)
            throw new UsageException($"{name} must be a number ≥ {minimum}; got '{text}'");
        return value;
    }
}

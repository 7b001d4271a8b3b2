using System.CommandLine;
using System.Globalization;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Typed System.CommandLine options in this tool's value formats. Each value is parsed while the command line is, and a
/// bad one fails the parse with a reason that names the flag (which <see cref="Usage.Fail"/> prints, exit 2). A value
/// option given twice takes its last value, so a script can override a flag it was handed.
/// </summary>
internal static class CommandOptions
{
    /// <summary>An option with one value, turned into a <typeparamref name="T"/> by <paramref name="parse"/>, or absent (default).</summary>
    /// <param name="name">The option's name, e.g. <c>--max-rank</c>.</param>
    /// <param name="helpName">The value's placeholder in help (shown in angle brackets).</param>
    /// <param name="description">The help text.</param>
    /// <param name="parse">Reads the text; throws <see cref="UsageException"/> naming the flag when it is bad.</param>
    /// <param name="aliases">Other names, e.g. <c>--output</c> for <c>-o</c>.</param>
    public static Option<T> Value<T>(string name, string helpName, string description, Func<string, T> parse, params string[] aliases)
    {
        // OneOrMore with one value per occurrence: a repeated flag is no parse error, its last value wins.
        var option = new Option<T>(name, aliases) { HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore };
        option.CustomParser = result => Parsed(result, () => parse(result.Tokens[^1].Value));
        return option;
    }

    /// <summary>A repeatable option: every occurrence's value, each read by <paramref name="parse"/>; empty when absent.</summary>
    public static Option<T[]> Repeated<T>(string name, string helpName, string description, Func<string, T> parse) =>
        new(name)
        {
            HelpName = helpName, Description = description, Arity = ArgumentArity.OneOrMore,
            CustomParser = result => Parsed(result, () => result.Tokens.Select(token => parse(token.Value)).ToArray()),
        };

    /// <summary>
    /// An option with a comma-separated list, each item read by <paramref name="item"/>; empty when absent (as the library
    /// gives a collection option), as a list given is never empty.
    /// </summary>
    public static Option<T[]> List<T>(string name, string helpName, string description, Func<string, T> item) =>
        Value<T[]>(name, helpName, description, text =>
        {
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (items.Length == 0) throw new UsageException($"{name} needs a comma-separated list");
            return items.Select(item).ToArray();
        });

    /// <summary>An option whose value is a whole number ≥ <paramref name="minimum"/>.</summary>
    public static Option<int?> WholeNumber(string name, int minimum, string helpName, string description) =>
        Value<int?>(name, helpName, description, text => WholeNumber(name, text, minimum));

    /// <summary>An option whose value is a finite number ≥ <paramref name="minimum"/>.</summary>
    public static Option<double?> Number(string name, double minimum, string helpName, string description) =>
        Value<double?>(name, helpName, description, text =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value >= minimum
                ? value : throw new UsageException($"{name} must be a number ≥ {minimum}; got '{text}'"));

    /// <summary>An option whose value is one of <paramref name="choices"/>' names (case-insensitive); help lists them as <c>a|b|c</c>.</summary>
    public static Option<T?> Choice<T>(string name, IReadOnlyDictionary<string, T> choices, string description) where T : struct =>
        Value<T?>(name, string.Join("|", choices.Keys), description, text =>
            choices.TryGetValue(text.ToLowerInvariant(), out var value) ? value
                : throw new UsageException($"{name} must be one of {string.Join(", ", choices.Keys)}; got '{text}'"));

    /// <summary>An option whose value is a path or other text, taken as it is.</summary>
    public static Option<string?> Text(string name, string helpName, string description, params string[] aliases) =>
        Value<string?>(name, helpName, description, text => text, aliases);

    /// <summary>A switch: present or not, never with a value (so the token after it is never taken for one).</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>
    /// <paramref name="text"/> as a whole number from <paramref name="minimum"/> to <see cref="int.MaxValue"/>; a number
    /// too large is told apart from one that is not a number.
    /// </summary>
    /// <exception cref="UsageException">The text is not such a number; the message starts with <paramref name="name"/>.</exception>
    public static int WholeNumber(string name, string text, int minimum)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum) return value;
        if (System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var large) && large > int.MaxValue)
            throw new UsageException($"{name} {text} is too large: at most {int.MaxValue}");
        throw new UsageException($"{name} must be a whole number ≥ {minimum}; got '{text}'");
    }

    /// <summary>What <paramref name="parse"/> returns, or default with its <see cref="UsageException"/> recorded as the parse error.</summary>
    private static T Parsed<T>(System.CommandLine.Parsing.ArgumentResult result, Func<T> parse)
    {
        // Without a value the library has already recorded "needs a value"; there is nothing to read.
        if (result.Tokens.Count == 0) return default!;
        try { return parse(); }
        catch (UsageException problem)
        {
            result.AddError(problem.Message);
            return default!;
        }
    }
}

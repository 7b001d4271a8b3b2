using System.CommandLine;
using System.CommandLine.Parsing;

namespace MLNet.TensorCompression.Cli;

/// <summary>Bad command-line arguments; the message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The bad-arguments exit: one line on stderr and exit code 2, whether the parser or a command found the problem.</summary>
internal static class Usage
{
    /// <summary>Writes <paramref name="reason"/> as one stderr line that points to the help, and returns exit code 2.</summary>
    public static int Fail(TextWriter error, string reason)
    {
        // One line, like every other failure, so a script can read the reason from the last line of stderr.
        error.WriteLine($"mlnet-compress: {reason.ReplaceLineEndings(" ")} (run 'mlnet-compress --help' for usage)");
        return 2;
    }

    /// <summary>
    /// The first of <paramref name="parse"/>'s errors in our words, in the order a reader fixes them: an unknown word,
    /// then a missing argument or required option, then a bad value (whose message an option's parser wrote).
    /// </summary>
    public static string Reason(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-') && token != "-") return $"unknown option '{token}'";
            if (command is RootCommand) return $"unknown command '{token}'";
            return command.Arguments.Count > 0
                ? $"unexpected argument '{token}': {command.Name} takes one {Placeholder(command.Arguments[0])}"
                : $"unexpected argument '{token}'";
        }
        foreach (var argument in command.Arguments)
            if (parse.GetResult(argument) is not { Tokens.Count: > 0 })
                return $"{command.Name} needs {Placeholder(argument)}";
        foreach (var error in parse.Errors)
        {
            if (error.SymbolResult is not OptionResult { Tokens.Count: 0 } result) continue;
            // Named but given no value; or required and not named at all.
            return result.IdentifierToken is { } named
                ? $"option '{named.Value}' needs a value"
                : $"{command.Name} needs {result.Option.Name} <{result.Option.HelpName}>";
        }
        return parse.Errors[0].Message;
    }

    private static string Placeholder(Argument argument) => $"<{argument.HelpName ?? argument.Name}>";
}

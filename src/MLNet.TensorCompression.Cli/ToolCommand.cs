using System.CommandLine;
using System.CommandLine.Help;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// The <c>mlnet-compress</c> command line: the commands <c>compress</c>, <c>inspect</c>, <c>evaluate</c> and
/// <c>sweep</c>, <c>--help</c> (with exit codes and examples; also with no arguments, or as <c>help [command]</c>) and
/// <c>--version</c>.
/// </summary>
internal sealed class ToolCommand : RootCommand
{
    /// <param name="cancellationToken">Cancels the long-running commands.</param>
    /// <param name="helpWidth">The column help text is wrapped at.</param>
    public ToolCommand(CancellationToken cancellationToken, int helpWidth)
        : base("mlnet-compress: compress ONNX CNNs with tensor-train (TT) and hierarchical-Tucker (HT) decompositions.")
    {
        // Else help names the running executable, which in-process (tests) is the test host.
        HelpName = "mlnet-compress";
        Add(new CompressCommand(cancellationToken));
        Add(new InspectCommand());
        Add(new EvaluateCommand());
        Add(new SweepCommand(cancellationToken));

        var helpOption = Options.OfType<HelpOption>().Single();
        var help = new ToolHelpAction((HelpAction)helpOption.Action!, helpWidth);
        helpOption.Action = help;
        SetAction(help.Invoke);
        // "help" and "help compress" as before System.CommandLine; hidden, as --help is the documented form.
        var about = new Argument<string?>("command") { Arity = ArgumentArity.ZeroOrOne };
        var helpCommand = new Command("help", "Shows the help of the tool or of a command.") { Hidden = true };
        helpCommand.Add(about);
        helpCommand.SetAction(parse => Parse(parse.GetValue(about) is { } name ? [name, "--help"] : ["--help"]).Invoke(parse.InvocationConfiguration));
        Add(helpCommand);
    }
}

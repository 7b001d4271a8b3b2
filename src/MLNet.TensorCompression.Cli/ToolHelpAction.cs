using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>--help</c>: System.CommandLine's help for the command (description, usage, arguments, options, commands), then the
/// exit codes and the examples that use the command (all of them for the tool itself).
/// </summary>
internal sealed class ToolHelpAction : SynchronousCommandLineAction
{
    private const string ExitCodes = "Exit codes: 0 ok, 1 failure (reason on stderr), 2 bad arguments.";

    private static readonly string[] Examples =
    [
        "mlnet-compress inspect samples/models/vgg-fashion.onnx",
        "mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-small.onnx --max-rank 16",
        "mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-small.onnx --target-ratio 10 --report report.md",
        "mlnet-compress compress samples/models/vgg-fashion.onnx -o vgg-fast.onnx --target-ratio 20 --objective latency --batch 1,64",
        """
        mlnet-compress compress samples/models/lenet5-fashion.onnx -o lenet-small.onnx --target-ratio 5 \
            --calibration samples/data/fashion-train-2000-images.idx3-ubyte --rows 500
        """,
        """
        mlnet-compress compress resnet.onnx -o resnet-small.onnx --target-ratio 4 --calibration photos/ \
            --image-size 224x224 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225
        """,
        "mlnet-compress evaluate vgg-small.onnx --data samples/data/fashion-test-2000-images.idx3-ubyte",
        """
        mlnet-compress sweep samples/models/lenet5-fashion.onnx --data samples/data/fashion-test-2000-images.idx3-ubyte --ratios 2,5 \
            --calibration samples/data/fashion-train-2000-images.idx3-ubyte --rows 500
        """,
    ];

    private readonly HelpAction help;

    /// <param name="help">The library's help action, whose output this one extends.</param>
    /// <param name="maxWidth">The column help text is wrapped at.</param>
    public ToolHelpAction(HelpAction help, int maxWidth)
    {
        this.help = help;
        help.MaxWidth = maxWidth;
    }

    /// <summary>Like the library's help, <c>--help</c> wins over any parse error on the same line.</summary>
    public override bool ClearsParseErrors => true;

    /// <summary>Writes the help of the parsed command to the invocation's output; exit code 0.</summary>
    public override int Invoke(ParseResult parseResult)
    {
        help.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        var command = parseResult.CommandResult.Command;
        output.WriteLine(ExitCodes);
        var examples = command is RootCommand ? Examples : Examples.Where(e => e.StartsWith($"mlnet-compress {command.Name} ", StringComparison.Ordinal)).ToArray();
        if (examples.Length > 0)
        {
            output.WriteLine();
            output.WriteLine("Examples:");
            foreach (var example in examples) output.WriteLine("  " + example.ReplaceLineEndings(Environment.NewLine + "  "));
        }
        if (command is RootCommand)
        {
            output.WriteLine();
            output.WriteLine("Run 'mlnet-compress <command> --help' for a command's options.");
        }
        return 0;
    }
}

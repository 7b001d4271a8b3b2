using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// The <c>mlnet-compress</c> entry point: exit code 0 = ok, 1 = failure (one-line reason on stderr), 2 = bad arguments.
/// No exception escapes: whatever a command throws ends as one line on stderr and exit 1.
/// </summary>
internal static class CommandLineTool
{
    /// <summary>What a command line may hold: no response files, so an argument starting with '@' is a path like any other.</summary>
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    /// <summary>Runs the command <paramref name="args"/> names, writing to <paramref name="output"/> and <paramref name="error"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        try
        {
            var parse = new ToolCommand(cancellationToken, HelpWidth(output)).Parse(args, Parsing);
            // The library's own error action prints several lines and the help, and exits 1: ours is one line and exit 2.
            if (parse.Action is ParseErrorAction) return Usage.Fail(error, Usage.Reason(parse));
            // Without the library's exception handler a command's exception reaches the handlers below unchanged.
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("mlnet-compress: cancelled; no output was written.");
            return 1;
        }
        catch (UsageException problem)
        {
            return Usage.Fail(error, problem.Message);
        }
        catch (Exception problem) when (problem is OnnxModelException or IOException or InvalidDataException or ArgumentException
            or UnauthorizedAccessException or KeyNotFoundException or OnnxRuntimeException or NotSupportedException)
        {
            // ONNX Runtime rejects models our checks let through (e.g. an op it does not implement): its message says why.
            error.WriteLine($"mlnet-compress: {OneLine(problem.Message)}");
            return 1;
        }
        catch (Exception problem)
        {
            // A bug of ours: still one line and exit 1, never a stack trace or an abort.
            error.WriteLine($"mlnet-compress: unexpected {problem.GetType().Name}: {OneLine(problem.Message)}");
            return 1;
        }
    }

    /// <summary>The terminal's width when help goes to one, else a fixed width (the same output in a file or a test).</summary>
    private static int HelpWidth(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Console.WindowWidth >= 40 ? Console.WindowWidth : 120;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// The <c>mlnet-compress</c> entry point: exit code 0 = ok, 1 = failure (one-line reason on stderr), 2 = bad arguments.
/// No exception escapes: whatever a command throws ends as one line on stderr and exit 1.
/// </summary>
internal static class CommandLineTool
{
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        try
        {
            var rest = args.Skip(1).ToArray();
            return args.FirstOrDefault() switch
            {
                "compress" => CompressCommand.Run(rest, output, error, cancellationToken),
                "inspect" => InspectCommand.Run(rest, output),
                "evaluate" => EvaluateCommand.Run(rest, output),
                "sweep" => SweepCommand.Run(rest, output, error, cancellationToken),
                null or "-h" or "--help" or "help" => Usage.Print(output, 0),
                var unknown => Usage.Fail(error, $"unknown command '{unknown}'"),
            };
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

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

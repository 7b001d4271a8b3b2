using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>The <c>mlnet-compress</c> entry point: exit code 0 = ok, 1 = failure (one-line reason on stderr), 2 = bad arguments.</summary>
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
        catch (Exception problem) when (problem is OnnxModelException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or KeyNotFoundException)
        {
            error.WriteLine($"mlnet-compress: {problem.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}

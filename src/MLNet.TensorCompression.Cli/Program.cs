using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Onnx;

// mlnet-compress: exit code 0 = ok, 1 = failure (one-line reason on stderr), 2 = bad arguments.
try
{
    return args.FirstOrDefault() switch
    {
        "compress" => CompressCommand.Run(args.Skip(1).ToArray(), Console.Out),
        "inspect" => InspectCommand.Run(args.Skip(1).ToArray(), Console.Out),
        null or "-h" or "--help" or "help" => Usage.Print(Console.Out, 0),
        var unknown => Usage.Fail($"unknown command '{unknown}'"),
    };
}
catch (UsageException error)
{
    return Usage.Fail(error.Message);
}
catch (Exception error) when (error is OnnxModelException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"mlnet-compress: {error.Message}");
    return 1;
}

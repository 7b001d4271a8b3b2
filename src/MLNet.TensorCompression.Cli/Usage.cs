namespace MLNet.TensorCompression.Cli;

/// <summary>Bad command-line arguments; the message says which.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The help text and the bad-arguments exit.</summary>
internal static class Usage
{
    private const string Text = """
        mlnet-compress: compress ONNX CNNs with tensor-train (TT) and hierarchical-Tucker (HT) decompositions.

        Commands:
          decompose <model.onnx> [--max-rank R] [--tolerance E]
              Decomposes every Conv kernel (TT) and fully connected weight (HT) of the model, the hybrid rule of
              Wu et al. 2020, and prints each layer's modes, ranks, parameters and relative error.
              Defaults: --max-rank 16, no tolerance.

        Example:
          mlnet-compress decompose samples/models/vgg-fashion.onnx --max-rank 16
        """;

    public static int Print(TextWriter output, int exitCode)
    {
        output.WriteLine(Text);
        return exitCode;
    }

    public static int Fail(string reason)
    {
        Console.Error.WriteLine($"mlnet-compress: {reason}");
        Console.Error.WriteLine("Run 'mlnet-compress --help' for usage.");
        return 2;
    }
}

using MLNet.TensorCompression.Cli;

// Ctrl+C cancels the work instead of killing the process, so no half-written file is left behind.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return CommandLineTool.Run(args, Console.Out, Console.Error, cancellation.Token);

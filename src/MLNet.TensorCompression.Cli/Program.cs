using MLNet.TensorCompression.Cli;

return CommandLineTool.Run(args, Console.Out, Console.Error);

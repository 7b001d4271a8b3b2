using System.Reflection;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// <c>--distill</c>: knowledge distillation lives in MLNet.TensorCompression.TorchSharp, which needs libtorch (hundreds of
/// MB per platform), so the plain tool does not carry it. The tool package MLNet.TensorCompression.Tool.Distillation
/// (src/MLNet.TensorCompression.Cli.Distillation: the same sources, plus that assembly and libtorch-cpu-linux-x64) does;
/// this class finds the assembly by name at run time, or beside the tool, so one code path serves both packages.
/// </summary>
internal static class Distillation
{
    public const string AssemblyName = "MLNet.TensorCompression.TorchSharp";
    public const string ToolPackage = "MLNet.TensorCompression.Tool.Distillation";

    /// <summary>--distill-loss values and the DistillationLossKind members they name (the enum lives in the assembly found at run time).</summary>
    private static readonly Dictionary<string, string> LossKinds = new(StringComparer.Ordinal)
    {
        ["auto"] = "Auto", ["kl"] = "LogitsKL", ["position-kl"] = "PositionKL", ["mse"] = "FeatureMse", ["cosine"] = "FeatureCosine",
    };

    /// <summary>The names --distill-loss takes, in the order messages list them.</summary>
    public static IEnumerable<string> LossNames => LossKinds.Keys;

    /// <summary>
    /// A distillation fine-tuning of <paramref name="epochs"/> passes with the loss <paramref name="loss"/> names
    /// (--distill-loss; null: auto), checked to run here before any work.
    /// </summary>
    /// <exception cref="UsageException">The loss is not one of the names, or the assembly or libtorch is missing; the message names what to install.</exception>
    public static FineTuning Create(double epochs, string? loss = null)
    {
        string? lossKind = null;
        if (loss is not null && !LossKinds.TryGetValue(loss.ToLowerInvariant(), out lossKind))
            throw new UsageException($"--distill-loss must be one of {string.Join(", ", LossKinds.Keys)}; got '{loss}'");
        var assembly = Find() ?? throw new UsageException(
            $"--distill needs libtorch, which this tool does not carry: install the tool package {ToolPackage} instead "
            + $"('dotnet tool uninstall -g MLNet.TensorCompression.Tool; dotnet tool install -g {ToolPackage}'; it brings {AssemblyName} and libtorch-cpu-linux-x64), "
            + "or build src/MLNet.TensorCompression.Cli.Distillation; or drop --distill to re-fit layer-wise only");
        // TorchSharp prints its native-library search to stdout when the load fails; stdout is the report's (--json).
        var stdout = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Null);
            // TorchRuntime.EnsureAvailable throws, naming the libtorch package, when the native libraries do not load.
            assembly.GetType($"{AssemblyName}.TorchRuntime", throwOnError: true)!.GetMethod("EnsureAvailable")!.Invoke(null, null);
        }
        catch (TargetInvocationException problem) when (problem.InnerException is not null)
        {
            // TorchSharp's own message carries its whole load trace: keep our explanation and its first sentence.
            var message = problem.InnerException.Message;
            int said = message.IndexOf("TorchSharp said:", StringComparison.Ordinal);
            if (said >= 0)
            {
                int end = message.IndexOf(". ", said, StringComparison.Ordinal);
                message = end > 0 ? message[..(end + 1)] : message;
            }
            throw new UsageException($"--distill: {message}");
        }
        finally
        {
            Console.SetOut(stdout);
        }
        var type = assembly.GetType($"{AssemblyName}.DistillationFineTuning", throwOnError: true)!;
        var tuning = (FineTuning)Activator.CreateInstance(type)!;
        type.GetProperty("Epochs")!.SetValue(tuning, epochs);
        if (lossKind is not null)
        {
            var property = type.GetProperty("LossKind")!;
            property.SetValue(tuning, Enum.Parse(property.PropertyType, lossKind));
        }
        return tuning;
    }

    /// <summary>The assembly when the tool's dependencies list it, else from a file beside the tool, else null.</summary>
    private static Assembly? Find()
    {
        try
        {
            return Assembly.Load(new AssemblyName(AssemblyName));
        }
        catch (FileNotFoundException)
        {
            var beside = Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
            return File.Exists(beside) ? Assembly.LoadFrom(beside) : null;
        }
    }
}

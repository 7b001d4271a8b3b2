using System.CommandLine;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// The flags that set <see cref="CompressionOptions"/>, and the one function that reads them, for every command that
/// compresses. A command adds the ones it takes (<see cref="All"/>, or some); the others read as absent.
/// Value names come from <see cref="OptionNames"/>, the table <see cref="LayerOverride.Parse"/> uses too.
/// </summary>
internal sealed class CompressionFlags
{
    /// <summary><c>--policy</c>.</summary>
    public Option<CompressionPolicy?> Policy { get; } = CommandOptions.Choice("--policy", OptionNames.Policies,
        "conv → TT and fully connected → HT (hybrid, default), or all TT / all HT");

    /// <summary><c>--max-rank</c>.</summary>
    public Option<int?> MaxRank { get; } = CommandOptions.WholeNumber("--max-rank", 1, "R",
        "rank cap for every layer (default 16 when no tolerance or target is given)");

    /// <summary><c>--tolerance</c>.</summary>
    public Option<double?> Tolerance { get; } = CommandOptions.Number("--tolerance", 0, "E",
        "relative error per layer, ‖W − Ŵ‖ ≤ E‖W‖ (unless the rank cap binds)");

    /// <summary><c>--target-ratio</c>.</summary>
    public Option<double?> TargetRatio { get; } = CommandOptions.Number("--target-ratio", 1, "X",
        "whole-model compression ratio, shared among the layers by --allocation; if even the smallest model misses it, that model is written and the exit is 1");

    /// <summary><c>--allocation</c>.</summary>
    public Option<RankAllocation?> Allocation { get; } = CommandOptions.Choice("--allocation", OptionNames.Allocations,
        "least largest per-layer error, least total squared error, one rank for every layer (default), or output error (needs --calibration)");

    /// <summary><c>--layer</c>, repeatable.</summary>
    public Option<LayerOverride[]> Layer { get; } = CommandOptions.Repeated("--layer", $"NAME={OptionNames.Alternatives(OptionNames.Formats)}[:R]",
        "per-layer override; NAME may use * and ?; repeatable", text =>
        {
            try { return LayerOverride.Parse(text); }
            catch (FormatException problem) { throw new UsageException(problem.Message); }
        });

    /// <summary><c>--mode</c>.</summary>
    public Option<LayerExecutionMode?> Mode { get; } = CommandOptions.Choice("--mode", OptionNames.Modes,
        "run through the factors, or rebuild the dense weight at load (auto: fewer MACs)");

    /// <summary><c>--tensor-layout</c> (<c>--layout</c> is the images' nchw|nhwc).</summary>
    public Option<TensorLayout?> TensorLayout { get; } = CommandOptions.Choice("--tensor-layout", OptionNames.Layouts,
        "split (default: runs as two Gemms N→r→M, or 1×1 → kh×kw → 1×1 convolutions; the more accurate at a target ratio), "
        + "or interleaved (modes pairing row and column factors: most compression at a rank cap)");

    /// <summary><c>--objective</c>.</summary>
    public Option<CompressionObjective?> Objective { get; } = CommandOptions.Choice("--objective", OptionNames.Objectives,
        "what each layer's layout and form are chosen for: size (default: as --tensor-layout and --mode say), latency (the fastest form, "
        + "timed in ONNX Runtime on this machine; never one slower than the dense layer), or balanced (the most accurate form within 10% of the fastest)");

    /// <summary><c>--batch</c>.</summary>
    public Option<int[]> Batch { get; } = CommandOptions.List("--batch", "B[,B…]",
        "batch sizes latency/balanced time each layer at (default 1,64)", size => CommandOptions.WholeNumber("--batch", size, minimum: 1));

    /// <summary><c>--inline</c>.</summary>
    public Option<bool> Inline { get; } = CommandOptions.Flag("--inline", "plain ONNX ops instead of custom-domain functions");

    /// <summary>Every flag, in the order help lists them.</summary>
    public IEnumerable<Option> All => [Policy, MaxRank, Tolerance, TargetRatio, Allocation, Layer, Mode, TensorLayout, Objective, Batch, Inline];

    /// <summary>
    /// The options the flags in <paramref name="parse"/> ask for, validated; the defaults of <see cref="CompressionOptions"/>
    /// for flags that are absent or that the command does not take.
    /// </summary>
    /// <exception cref="UsageException">The flags contradict each other or the options; the message names the flag or the option.</exception>
    public CompressionOptions Read(ParseResult parse)
    {
        var options = new CompressionOptions();
        if (parse.GetValue(Policy) is { } policy) options.Policy = policy;
        if (parse.GetValue(MaxRank) is { } maxRank) options.MaxRank = maxRank;
        if (parse.GetValue(Tolerance) is { } tolerance) options.Tolerance = tolerance;
        if (parse.GetValue(TargetRatio) is { } ratio) options.TargetCompressionRatio = ratio;
        if (parse.GetValue(Allocation) is { } allocation) options.RankAllocation = allocation;
        if (parse.GetValue(Mode) is { } mode) options.ExecutionMode = mode;
        if (parse.GetValue(TensorLayout) is { } layout) options.Layout = layout;
        if (parse.GetValue(Inline)) options.Inline = true;
        if (parse.GetValue(Objective) is { } objective) options.Objective = objective;
        if (parse.GetValue(Batch) is { Length: > 0 } batches)
        {
            if (options.Objective == CompressionObjective.Size)
                throw new UsageException($"{Batch.Name} sets the batch sizes {Objective.Name} latency or balanced times the layers at; with {Objective.Name} size nothing is timed");
            options.LatencyBatchSizes = batches;
        }
        foreach (var layerOverride in parse.GetValue(Layer) ?? []) options.LayerOverrides.Add(layerOverride);
        // The flags' own checks leave what only the options know (e.g. a tolerance of 1 or more).
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException problem) { throw new UsageException(problem.Message); }
        return options;
    }

    /// <summary>
    /// Throws when a <c>--layer</c> pattern matched none of the model's layers (compressible or not), naming the layers
    /// there are: a mistyped name would otherwise be silently ignored.
    /// </summary>
    /// <exception cref="UsageException">A pattern matched nothing.</exception>
    public static void RequireOverridesMatch(CompressionOptions options, CompressionReport report)
    {
        var names = report.Layers.Select(l => l.Name).Concat(report.Skipped.Select(s => s.Name)).ToArray();
        foreach (var layerOverride in options.LayerOverrides)
        {
            if (names.Any(layerOverride.Matches)) continue;
            const int Shown = 12;
            string known = names.Length == 0 ? "the model has no layers" : "its layers are " + string.Join(", ", names.Take(Shown)) + (names.Length > Shown ? $" and {names.Length - Shown} more" : "");
            throw new UsageException($"--layer '{layerOverride.Pattern}' matches no layer of the model; {known}");
        }
    }
}

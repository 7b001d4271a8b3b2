namespace MLNet.TensorCompression.Cli;

/// <summary>
/// The flags that set <see cref="CompressionOptions"/>, and the one function that reads them, for every command that
/// compresses. A command accepts the ones it declares to its <see cref="CommandLine"/>; the others read as absent.
/// Value names come from <see cref="OptionNames"/>, the table <see cref="LayerOverride.Parse"/> uses too.
/// </summary>
internal static class CompressionFlags
{
    public const string Policy = "--policy";
    public const string MaxRank = "--max-rank";
    public const string Tolerance = "--tolerance";
    public const string TargetRatio = "--target-ratio";
    public const string Allocation = "--allocation";
    public const string Layer = "--layer";
    public const string Mode = "--mode";
    public const string TensorLayout = "--tensor-layout"; // --layout is the images' nchw|nhwc
    public const string Inline = "--inline";
    public const string Objective = "--objective";
    public const string Batch = "--batch";

    /// <summary>Every flag here that takes a value.</summary>
    public static readonly string[] Values = [Policy, MaxRank, Tolerance, TargetRatio, Allocation, Layer, Mode, TensorLayout, Objective, Batch];

    /// <summary>Every flag here that takes none.</summary>
    public static readonly string[] Switches = [Inline];

    /// <summary>
    /// The options the flags on <paramref name="line"/> ask for, validated; the defaults of <see cref="CompressionOptions"/>
    /// for flags that are absent or that the command does not accept.
    /// </summary>
    /// <exception cref="UsageException">A value is malformed or out of range; the message names the flag or the option.</exception>
    public static CompressionOptions Read(CommandLine line)
    {
        var options = new CompressionOptions();
        if (line.Choice(Policy, OptionNames.Policies) is { } policy) options.Policy = policy;
        if (line.Int(MaxRank, minimum: 1) is { } maxRank) options.MaxRank = maxRank;
        if (line.Double(Tolerance, minimum: 0) is { } tolerance) options.Tolerance = tolerance;
        if (line.Double(TargetRatio, minimum: 1) is { } ratio) options.TargetCompressionRatio = ratio;
        if (line.Choice(Allocation, OptionNames.Allocations) is { } allocation) options.RankAllocation = allocation;
        if (line.Choice(Mode, OptionNames.Modes) is { } mode) options.ExecutionMode = mode;
        if (line.Choice(TensorLayout, OptionNames.Layouts) is { } layout) options.Layout = layout;
        if (line.Has(Inline)) options.Inline = true;
        if (line.Choice(Objective, OptionNames.Objectives) is { } objective) options.Objective = objective;
        if (line.String(Batch) is { } batches)
        {
            if (options.Objective == CompressionObjective.Size)
                throw new UsageException($"{Batch} sets the batch sizes {Objective} latency or balanced times the layers at; with {Objective} size nothing is timed");
            options.LatencyBatchSizes = batches.Split(',').Select(size => CommandLine.WholeNumber(Batch, size.Trim(), minimum: 1)).ToArray();
        }
        foreach (var text in line.All(Layer))
        {
            try { options.LayerOverrides.Add(LayerOverride.Parse(text)); }
            catch (FormatException problem) { throw new UsageException(problem.Message); }
        }
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
            throw new UsageException($"{Layer} '{layerOverride.Pattern}' matches no layer of the model; {known}");
        }
    }
}

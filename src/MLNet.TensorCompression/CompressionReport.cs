using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.TensorCompression;

/// <summary>Per-layer and whole-model figures of one compression: formats, ranks, sizes, errors, multiply-adds.</summary>
public sealed record CompressionReport
{
    /// <summary>Key of the model metadata entry (ModelProto.metadata_props) that holds this report as JSON.</summary>
    public const string MetadataKey = "mlnet.tensorcompression.report";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The policy used.</summary>
    public required CompressionPolicy Policy { get; init; }

    /// <summary>What the layers' layouts and execution forms were chosen for.</summary>
    public CompressionObjective Objective { get; init; }

    /// <summary>The whole-model ratio asked for, or null.</summary>
    public double? TargetCompressionRatio { get; init; }

    /// <summary>Every compressible layer, in graph order.</summary>
    public required IReadOnlyList<LayerReport> Layers { get; init; }

    /// <summary>Nodes with weights that are not compressible, and why.</summary>
    public required IReadOnlyList<SkippedLayerReport> Skipped { get; init; }

    /// <summary>All float initializer values of the input model.</summary>
    public required long ModelParametersBefore { get; init; }

    /// <summary>All float initializer values of the output model.</summary>
    public required long ModelParametersAfter { get; init; }

    /// <summary>Whole-model ratio ModelParametersBefore ÷ ModelParametersAfter.</summary>
    public double CompressionRatio => ModelParametersAfter == 0 ? 0 : (double)ModelParametersBefore / ModelParametersAfter;

    /// <summary>
    /// False when a <see cref="TargetCompressionRatio"/> was asked for and not met: even the smallest model the layers
    /// allow (every compressed layer at its smallest rank) is above the target's budget. <see cref="Warnings"/> then
    /// says by how much. True otherwise.
    /// </summary>
    public bool TargetReached => TargetCompressionRatio is not { } target || CompressionRatio >= target * (1 - TargetTolerance);

    // The budget is ⌊before / target⌋ parameters, so a met target can read a hair below it as a ratio.
    private const double TargetTolerance = 1e-3;

    /// <summary>Serialized size of the input model in bytes.</summary>
    public required long FileBytesBefore { get; init; }

    /// <summary>Serialized size of the output model in bytes, without this report's metadata entry.</summary>
    public required long FileBytesAfter { get; init; }

    /// <summary>
    /// Whether and how data was used to fit the factors, in a sentence: set when the model was compressed by an ML.NET
    /// estimator (e.g. "none: CalibrationRows = 0, data-free", or why calibration was skipped); null otherwise.
    /// </summary>
    public string? Calibration { get; init; }

    /// <summary>
    /// What end-to-end fine-tuning did (<see cref="HybridCompressionOptions.FineTuning"/>), or null when there was none. The
    /// per-layer errors in <see cref="Layers"/> are those of the factors before fine-tuning.
    /// </summary>
    public string? FineTuning { get; init; }

    /// <summary>Things the user should know about this result, e.g. that data-free factors are far from the weights; empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The models the accuracy-aware search tried (MaxAccuracyDrop), in the order tried; null when there was no search.</summary>
    public IReadOnlyList<AccuracySearchStep>? AccuracySearch { get; init; }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a report.</exception>
    public static CompressionReport FromJson(string json) =>
        JsonSerializer.Deserialize<CompressionReport>(json, Json) ?? throw new JsonException("The report JSON is empty.");

    /// <summary>The report as a Markdown table with a totals line.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.AppendLine(invariant, $"Policy {Policy}{(TargetCompressionRatio is { } t ? string.Create(invariant, $", target {t:0.##}x") : "")}, objective {Objective}.");
        text.AppendLine();
        text.AppendLine("| layer | op | weight | format | modes / tree | ranks | params before → after | CR | run-time weights | rel. error (bound) | MACs before → after | mode | latency before → after |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var layer in Layers)
        {
            string structure = layer.Modes is null ? "" : layer.Tree is null ? layer.Modes : $"{layer.Modes} {layer.Tree}";
            string error = layer.Format == "dense" ? "" : string.Create(invariant, $"{layer.RelativeError:0.0000}{(layer.ErrorBound is { } b ? string.Create(invariant, $" (≤ {b:0.####})") : "")}");
            text.AppendLine(invariant,
                $"| {layer.Name} | {layer.OpType} | [{string.Join(",", layer.WeightShape)}] | {layer.Format} | {structure} | {(layer.Ranks is null ? "" : string.Join("-", layer.Ranks))} | {layer.ParametersBefore:N0} → {layer.ParametersAfter:N0} | {layer.CompressionRatio:0.0}x | {layer.RuntimeParameters:N0} | {error} | {Macs(layer.MacsBefore)} → {Macs(layer.MacsAfter)} | {layer.ExecutionMode ?? layer.Note} | {Latency(layer.Latency)} |");
        }
        text.AppendLine();
        text.AppendLine(invariant, $"Model: {ModelParametersBefore:N0} → {ModelParametersAfter:N0} parameters ({CompressionRatio:0.0}x); file {FileBytesBefore:N0} → {FileBytesAfter:N0} bytes; run-time weights of the layers {Layers.Sum(l => l.ParametersBefore):N0} → {Layers.Sum(l => l.RuntimeParameters):N0}.");
        if (Calibration is not null)
            text.AppendLine(invariant, $"Calibration: {Calibration}");
        if (FineTuning is not null)
            text.AppendLine(invariant, $"Fine-tuning: {FineTuning}");
        foreach (var warning in Warnings)
            text.AppendLine(invariant, $"Warning: {warning}");
        foreach (var step in AccuracySearch ?? [])
            text.AppendLine(invariant, $"- tried target {step.TargetRatio:0.##}x: {step.CompressionRatio:0.0}x, {step.Parameters:N0} parameters, accuracy {step.Accuracy:0.0000} (original {step.OriginalAccuracy:0.0000}){(step.WithinDrop ? "" : ", drop too large")}");
        foreach (var skipped in Skipped)
            text.AppendLine(invariant, $"- not compressible: {skipped.Name} ({skipped.OpType}): {skipped.Reason}");
        return text.ToString();
    }

    /// <summary>"b1 0.210 → 0.050 ms (0.24x), b64 …", or empty when nothing was timed.</summary>
    private static string Latency(IReadOnlyList<BatchLatency>? latency) => latency is null ? "" : string.Join(", ", latency.Select(l =>
        string.Create(CultureInfo.InvariantCulture, $"b{l.BatchSize} {l.DenseMilliseconds:0.000} → {l.Milliseconds:0.000} ms ({l.Ratio:0.00}x)")));

    private static string Macs(long? macs) => macs is { } m ? m.ToString("N0", CultureInfo.InvariantCulture) : "?";
}

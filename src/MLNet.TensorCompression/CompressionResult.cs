using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression;

/// <summary>A compressed model and the report of what was done to it.</summary>
/// <param name="Model">The compressed model (the report is also in its metadata, key <see cref="CompressionReport.MetadataKey"/>).</param>
/// <param name="Report">Per-layer and whole-model figures.</param>
/// <param name="Factorizations">The factorised weight of every compressed layer, in graph order.</param>
public sealed record CompressionResult(OnnxModel Model, CompressionReport Report, IReadOnlyList<FactorizedWeight> Factorizations)
{
    /// <summary>
    /// This result with <paramref name="report"/>, and with a copy of the model whose metadata holds it; this result's
    /// model is left as it is.
    /// </summary>
    internal CompressionResult WithReport(CompressionReport report)
    {
        var model = Model.Clone();
        var entry = model.Proto.MetadataProps.FirstOrDefault(p => p.Key == CompressionReport.MetadataKey);
        if (entry is null)
            model.Proto.MetadataProps.Add(new StringStringEntryProto { Key = CompressionReport.MetadataKey, Value = report.ToJson() });
        else
            entry.Value = report.ToJson();
        return this with { Model = model, Report = report };
    }
}

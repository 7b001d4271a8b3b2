using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Compression;

/// <summary>A result is a value: deriving one with another report leaves the original result and its model as they were.</summary>
[TestClass]
public sealed class CompressionResultTests
{
    [TestMethod]
    public void WithReportPutsTheNewReportInACopyOfTheModelAndLeavesTheOriginalModelUntouched()
    {
        var before = Report(calibration: "before");
        var model = TinyModel();
        model.Proto.MetadataProps.Add(new StringStringEntryProto { Key = CompressionReport.MetadataKey, Value = before.ToJson() });
        var original = new CompressionResult(model, before, []);

        var derived = original.WithReport(before with { Calibration = "after" });

        Assert.AreEqual("before", MetadataReport(original.Model)?.Calibration, "the original result's model keeps its report");
        Assert.AreEqual("before", original.Report.Calibration);
        Assert.AreEqual("after", MetadataReport(derived.Model)?.Calibration);
        Assert.AreEqual("after", derived.Report.Calibration);
        Assert.AreNotSame(original.Model, derived.Model);
        Assert.AreEqual(original.Model.Graph, derived.Model.Graph, "the copy has the same graph");
    }

    [TestMethod]
    public void WithReportAddsTheReportToTheCopyOnlyWhenTheModelHadNone()
    {
        var original = new CompressionResult(TinyModel(), Report(calibration: null), []);

        var derived = original.WithReport(Report(calibration: "added"));

        Assert.IsNull(MetadataReport(original.Model), "the original model gets no metadata entry");
        Assert.AreEqual("added", MetadataReport(derived.Model)?.Calibration);
        Assert.AreEqual(1, derived.Model.Proto.MetadataProps.Count(p => p.Key == CompressionReport.MetadataKey));
    }

    private static CompressionReport? MetadataReport(OnnxModel model) =>
        model.Proto.MetadataProps.FirstOrDefault(p => p.Key == CompressionReport.MetadataKey) is { } entry
            ? CompressionReport.FromJson(entry.Value)
            : null;

    private static OnnxModel TinyModel()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { "x" }, Output = { "y" } });
        return new OnnxModel(new ModelProto { IrVersion = 8, Graph = graph });
    }

    private static CompressionReport Report(string? calibration) => new()
    {
        Policy = CompressionPolicy.Hybrid,
        Layers = [],
        Skipped = [],
        ModelParametersBefore = 10,
        ModelParametersAfter = 5,
        FileBytesBefore = 100,
        FileBytesAfter = 50,
        Calibration = calibration,
    };
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Finding;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>
/// Small crafted models for the reliability tests: a legal 3-class classifier x[N,16] → Gemm fc (16×16) → Relu → Gemm
/// out (3×16) → y[N,3], and broken or unusual variants of it, built with <see cref="TestGraph"/>.
/// </summary>
internal static class TinyModels
{
    public const int Features = 16;
    public const int Classes = 3;

    /// <summary>The legal classifier; <paramref name="configure"/> may add to the graph before it is built.</summary>
    public static OnnxModel Classifier(Func<TestGraph, TestGraph>? configure = null)
    {
        var graph = new TestGraph()
            .Input("x", Batch, Features).Output("y")
            .Initializer("fc.weight", [Features, Features], Values(Features * Features, seed: 1))
            .Initializer("fc.bias", [Features], Values(Features, seed: 2))
            .Initializer("out.weight", [Classes, Features], Values(Classes * Features, seed: 3))
            .Node("Gemm", "fc", ["x", "fc.weight", "fc.bias"], ["h"], Int("transB", 1))
            .Node("Relu", "relu", ["h"], ["r"])
            .Node("Gemm", "out", ["r", "out.weight"], ["y"], Int("transB", 1));
        var model = (configure?.Invoke(graph) ?? graph).Build();
        // The output's class axis, declared, so evaluate can check labels against it.
        model.Graph.Output.Single(o => o.Name == "y").Type.TensorType.Shape = new TensorShapeProto
        {
            Dim = { new TensorShapeProto.Types.Dimension { DimParam = "N" }, new TensorShapeProto.Types.Dimension { DimValue = Classes } },
        };
        return model;
    }

    /// <summary>The classifier with <paramref name="change"/> applied to its message after building: for models our writer would not make.</summary>
    public static OnnxModel Broken(Action<ModelProto> change)
    {
        var model = Classifier();
        change(model.Proto);
        return model;
    }

    /// <summary>Writes the model's bytes to <paramref name="path"/> as they are (no checks) and returns the path.</summary>
    public static string Write(OnnxModel model, string path)
    {
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model.Proto));
        return path;
    }

    /// <summary>Labelled CSV rows for the classifier: "label,16 values"; <paramref name="edit"/> may change a row's fields.</summary>
    public static string Csv(string path, int rows, Func<int, string[], string[]>? edit = null)
    {
        var lines = Enumerable.Range(0, rows).Select(row =>
        {
            var fields = new[] { (row % Classes).ToString(System.Globalization.CultureInfo.InvariantCulture) }
                .Concat(Values(Features, seed: 100 + row).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
            return string.Join(",", edit?.Invoke(row, fields) ?? fields);
        });
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>Compression options under which the 16×16 layer is compressed.</summary>
    public static CompressionOptions SmallLayers() => new() { MaxRank = 2, MinimumLayerParameters = 0 };
}

using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// ONNX Runtime latency of single layers, dense against their rank-16 factorisations run factorised and reconstructed
/// (interleaved layouts) and split, as ratios measured in one run.
/// </summary>
public static class LayerLatency
{
    private static readonly (string Name, int[] Weight, long[] Input)[] Layers =
    [
        ("FC 1024→1024", [1024, 1024], [1024]),
        ("FC 6272→512", [512, 6272], [6272]),
        ("FC 4096→4096", [4096, 4096], [4096]),
        ("Conv 64→128 3×3 @14×14", [128, 64, 3, 3], [64, 14, 14]),
        ("Conv 128→128 3×3 @7×7", [128, 128, 3, 3], [128, 7, 7]),
    ];

    /// <summary>Prints the median latency of each layer and form, and the ratio to the dense layer's.</summary>
    public static void Report(TextWriter output, int repetitions = 200)
    {
        output.WriteLine($"single layers: median ONNX Runtime latency over {repetitions} runs (ratio to dense in the same run)");
        foreach (var (name, weightShape, inputShape) in Layers)
        {
            var dense = SingleLayerModel(weightShape, inputShape);
            var forms = new List<(string, OnnxModel)> { ("dense", dense) };
            foreach (var policy in new[] { CompressionPolicy.TensorTrain, CompressionPolicy.HierarchicalTucker })
            foreach (var mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed })
            {
                var options = new CompressionOptions { Policy = policy, MaxRank = 16, ExecutionMode = mode, MinimumLayerParameters = 0, CompressInputConvolution = true };
                forms.Add(($"{(policy == CompressionPolicy.TensorTrain ? "TT" : "HT")} r16 {mode}", OnnxModelCompressor.Compress(dense, options).Model));
            }
            // The split layout's form: two Gemms N → 16 → M, or 1×1 → kh×kw → 1×1 convolutions at rank 16.
            var split = new CompressionOptions { Layout = TensorLayout.Split, MaxRank = 16, ExecutionMode = LayerExecutionMode.Factorized, MinimumLayerParameters = 0, CompressInputConvolution = true };
            forms.Add(("TT r16 Split", OnnxModelCompressor.Compress(dense, split).Model));
            foreach (int batch in new[] { 1, 64 })
            {
                double baseline = 0;
                foreach (var (form, model) in forms)
                {
                    using var session = ModelLatency.CreateSession(model);
                    double median = ModelLatency.MedianMilliseconds(session, [batch, .. inputShape], repetitions);
                    if (form == "dense") baseline = median;
                    output.WriteLine($"  {name,-24} batch {batch,2}  {form,-22} {median,9:F3} ms  {median / baseline,6:F2}x");
                }
            }
        }
    }

    /// <summary>X[N, …] → Gemm (transB = 1) or Conv (pad 1) with a random weight → Y.</summary>
    private static OnnxModel SingleLayerModel(int[] weightShape, long[] inputShape)
    {
        var random = new Random(7);
        var weight = new float[weightShape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < weight.Length; i++) weight[i] = (float)(random.NextDouble() - 0.5);
        bool convolution = weightShape.Length == 4;

        var graph = new GraphProto { Name = "layer" };
        graph.Input.Add(Value("X", [-1, .. inputShape]));
        graph.Output.Add(Value("Y", convolution ? [-1, weightShape[0], inputShape[1], inputShape[2]] : [-1, weightShape[0]]));
        graph.Initializer.Add(FloatTensorProto.Create("W", weightShape, weight));
        var node = new NodeProto { Name = "layer", OpType = convolution ? "Conv" : "Gemm" };
        node.Input.Add(["X", "W"]);
        node.Output.Add("Y");
        node.Attribute.Add(convolution
            ? new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } }
            : new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "LayerLatency" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return new OnnxModel(model);
    }

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (long size in shape)
            tensorShape.Dim.Add(size < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = size });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } } };
    }
}

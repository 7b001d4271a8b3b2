using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// ONNX Runtime latency of single layers, dense against their rank-16 factorisations (TT and HT, interleaved and split)
/// in every execution form, as ratios measured in one run: the library's one-layer models and timer, which the latency
/// objective uses (<see cref="Planning.LayerForms"/>).
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

    /// <summary>Prints the median latency of each layer and form (all forms of a layer run in turn each round), and the ratio to the dense layer's.</summary>
    public static void Report(TextWriter output, int rounds = 200)
    {
        output.WriteLine($"single layers: median ONNX Runtime latency over {rounds} rounds (ratio to dense in the same run)");
        foreach (var (name, weightShape, inputShape) in Layers)
        {
            // The layer as the compressor finds it (measured input shape), and its one-layer models as the latency objective times them.
            var layer = LayerFinder.Find(RandomLayerModel(weightShape, inputShape)).Layers.Single();
            var forms = new List<(string Name, OnnxModel Model)> { ("dense", SingleLayerModel.Dense(layer, Opset)) };
            foreach (var layout in Enum.GetValues<TensorLayout>())
            foreach (var format in new[] { LayerFormat.TensorTrain, LayerFormat.HierarchicalTucker })
            foreach (var mode in new[] { LayerExecutionMode.Factorized, LayerExecutionMode.Reconstructed })
            {
                var weight = LayerDecomposer.Decompose(new LayerPlan(layer, format, CompressionPlanner.Tensorize(layer, layout), null, null), Truncation.ToRank(16));
                if (mode == LayerExecutionMode.Factorized && !FactorizedLayerEmitter.HasFactorizedForm(weight)) continue;
                string form = mode == LayerExecutionMode.Factorized && layout == TensorLayout.Split ? "Split" : $"{mode} {layout}".ToLowerInvariant();
                forms.Add(($"{weight.Format} r16 {form}", SingleLayerModel.Factorized(weight, mode, inline: false, Opset)));
            }
            var sessions = forms.Select(f => OnnxRuntimeLayerTimer.CreateSession(f.Model)).ToArray();
            foreach (int batch in new[] { 1, 64 })
            {
                var medians = OnnxRuntimeLayerTimer.AlternatingMedians(sessions, sessions.Select(s => OnnxRuntimeLayerTimer.InputShape(s, batch)).ToArray(), rounds);
                for (int i = 0; i < forms.Count; i++)
                    output.WriteLine($"  {name,-24} batch {batch,2}  {forms[i].Name,-28} {medians[i],9:F3} ms  {medians[i] / medians[0],6:F2}x");
            }
            foreach (var session in sessions) session.Dispose();
        }
    }

    private const int Opset = 17;

    /// <summary>X[N, …] → Gemm (transB = 1) or Conv (pad 1) with a random weight → Y.</summary>
    private static OnnxModel RandomLayerModel(int[] weightShape, long[] inputShape)
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

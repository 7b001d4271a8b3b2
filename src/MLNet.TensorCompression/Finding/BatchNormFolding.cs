using System.Globalization;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Folds an inference <c>BatchNormalization</c> into the <c>Conv</c> right before it, where that is exact, so the
/// compressed weight carries BN's scale and the decomposition approximates the weight that acts (ONNX Runtime makes
/// the same fusion when it loads a model). Exact means: the Conv's output feeds only the BN and is no graph output; the
/// BN is in inference mode (no <c>training_mode</c>, <c>spatial</c> 1, no other output read) and its scale, bias, mean
/// and variance are FLOAT initializers of one value per output channel; the Conv's weight and bias are FLOAT
/// initializers that nothing else reads and no graph input overrides. Any other pair is left as it is.
/// <para>
/// Then Y = γ·(W∗x + b − μ)/√(σ² + ε) + β = W'∗x + b' with W'ₒ = Wₒ·γₒ/√(σ²ₒ + ε) and b'ₒ = (bₒ − μₒ)·γₒ/√(σ²ₒ + ε) + βₒ,
/// computed in double and stored as float.
/// </para>
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>
    /// A copy of <paramref name="model"/> with every exact Conv→BatchNormalization pair folded, or the model itself
    /// when there is none; <paramref name="progress"/> gets a line per fold.
    /// </summary>
    public static OnnxModel Fold(OnnxModel model, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Subgraphs (If/Loop bodies) may read any outer name; rather than follow them, such models are left alone.
        if (!model.Graph.Node.Any(IsBatchNormalization) || model.Graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
            return model;
        var copy = model.Clone();
        var graph = copy.Graph;
        bool folded = false;
        foreach (var norm in graph.Node.Where(IsBatchNormalization).ToArray())
        {
            if (FoldableConv(graph, norm) is not { } conv) continue;
            FoldPair(graph, conv, norm);
            progress?.Invoke($"folded BatchNormalization '{norm.Name}' into Conv '{conv.Name}'");
            folded = true;
        }
        return folded ? copy : model;
    }

    private static bool IsBatchNormalization(NodeProto node) => node.OpType == "BatchNormalization" && node.Domain is "" or "ai.onnx";

    /// <summary>The Conv that <paramref name="norm"/> can be folded into exactly, or null.</summary>
    private static NodeProto? FoldableConv(GraphProto graph, NodeProto norm)
    {
        if (norm.Input.Count != 5 || norm.Output.Skip(1).Any(o => o.Length > 0 && IsRead(graph, o))) return null;
        if (norm.Attribute.Any(a => a.Name switch { "training_mode" or "is_test" => a.I != (a.Name == "is_test" ? 1 : 0), "spatial" => a.I != 1, _ => false }))
            return null;
        var conv = graph.Node.FirstOrDefault(n => n.Output.Contains(norm.Input[0]));
        if (conv is null || conv.OpType != "Conv" || conv.Domain is not ("" or "ai.onnx") || conv.Output.Count != 1) return null;
        if (graph.Output.Any(o => o.Name == conv.Output[0]) || graph.Node.Count(n => n.Input.Contains(conv.Output[0])) != 1) return null;

        var weight = OwnInitializer(graph, conv, 1);
        if (weight is null || weight.Dims.Count < 1) return null;
        if (conv.Input.Count > 2 && conv.Input[2].Length > 0 && OwnInitializer(graph, conv, 2) is null) return null;
        long channels = weight.Dims[0];
        for (int i = 1; i < 5; i++)
        {
            var parameter = Initializer(graph, norm.Input[i]);
            if (parameter is null || parameter.DataType != (int)TensorProto.Types.DataType.Float || OnnxShape.ElementCount(parameter) != channels) return null;
        }
        return conv;
    }

    /// <summary>Input <paramref name="index"/> of <paramref name="conv"/> as a FLOAT initializer that only this node reads and no graph input overrides, or null.</summary>
    private static TensorProto? OwnInitializer(GraphProto graph, NodeProto conv, int index)
    {
        if (conv.Input.Count <= index) return null;
        var name = conv.Input[index];
        var tensor = Initializer(graph, name);
        if (tensor is null || tensor.DataType != (int)TensorProto.Types.DataType.Float) return null;
        if (graph.Input.Any(i => i.Name == name) || graph.Output.Any(o => o.Name == name)) return null;
        return graph.Node.Count(n => n.Input.Contains(name)) == 1 && conv.Input.Count(i => i == name) == 1 ? tensor : null;
    }

    private static void FoldPair(GraphProto graph, NodeProto conv, NodeProto norm)
    {
        var weightProto = Initializer(graph, conv.Input[1])!;
        var weight = FloatTensorProto.Read(weightProto);
        var (scale, shift, mean, variance) = (Read(graph, norm.Input[1]), Read(graph, norm.Input[2]), Read(graph, norm.Input[3]), Read(graph, norm.Input[4]));
        double epsilon = norm.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        bool hasBias = conv.Input.Count > 2 && conv.Input[2].Length > 0;
        var bias = hasBias ? FloatTensorProto.Read(Initializer(graph, conv.Input[2])!).Data : new float[scale.Length];

        int channels = scale.Length, perChannel = weight.Data.Length / channels;
        var newWeight = new float[weight.Data.Length];
        var newBias = new float[channels];
        for (int o = 0; o < channels; o++)
        {
            double factor = scale[o] / Math.Sqrt((double)variance[o] + epsilon);
            for (int k = 0; k < perChannel; k++) newWeight[o * perChannel + k] = (float)(weight.Data[o * perChannel + k] * factor);
            newBias[o] = (float)((bias[o] - (double)mean[o]) * factor + shift[o]);
        }

        Replace(graph, FloatTensorProto.Create(weightProto.Name, weight.Shape.ToArray(), newWeight));
        string biasName = hasBias ? conv.Input[2] : FreeName(graph, conv.Input[1] + "_folded_bias");
        Replace(graph, FloatTensorProto.Create(biasName, [channels], newBias));
        if (conv.Input.Count > 2) conv.Input[2] = biasName;
        else conv.Input.Add(biasName);

        // The Conv now writes what the BN wrote; the BN, its intermediate's declared shape and its unread parameters go.
        string intermediate = conv.Output[0];
        conv.Output[0] = norm.Output[0];
        graph.Node.Remove(norm);
        foreach (var stale in graph.ValueInfo.Where(v => v.Name == intermediate).ToArray()) graph.ValueInfo.Remove(stale);
        foreach (var name in norm.Input.Skip(1).Distinct())
        {
            if (IsRead(graph, name) || graph.Input.Any(i => i.Name == name)) continue;
            foreach (var unused in graph.Initializer.Where(t => t.Name == name).ToArray()) graph.Initializer.Remove(unused);
        }
    }

    private static float[] Read(GraphProto graph, string name) => FloatTensorProto.Read(Initializer(graph, name)!).Data;

    private static TensorProto? Initializer(GraphProto graph, string name) => graph.Initializer.FirstOrDefault(t => t.Name == name);

    private static void Replace(GraphProto graph, TensorProto tensor)
    {
        int index = graph.Initializer.ToList().FindIndex(t => t.Name == tensor.Name);
        if (index >= 0) graph.Initializer[index] = tensor;
        else graph.Initializer.Add(tensor);
    }

    private static bool IsRead(GraphProto graph, string name) =>
        graph.Output.Any(o => o.Name == name) || graph.Node.Any(n => n.Input.Contains(name));

    private static string FreeName(GraphProto graph, string name)
    {
        var taken = graph.Initializer.Select(t => t.Name).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Node.SelectMany(n => n.Output)).ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (int suffix = 1; taken.Contains(candidate); suffix++) candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{suffix}");
        return candidate;
    }
}

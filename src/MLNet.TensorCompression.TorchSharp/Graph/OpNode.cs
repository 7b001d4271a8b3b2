namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>What a kernel factory knows about a node when it compiles it: attributes (resolved), opset, and wiring.</summary>
internal sealed class OpNode
{
    public OpNode(string opType, string description, OpAttributes attributes, long opset, int inputCount, IReadOnlyList<string> outputs)
    {
        OpType = opType;
        Description = description;
        Attributes = attributes;
        Opset = opset;
        InputCount = inputCount;
        Outputs = outputs;
    }

    public string OpType { get; }

    /// <summary>The op type and node name, e.g. "Conv (node 'conv1')", for messages.</summary>
    public string Description { get; }

    public OpAttributes Attributes { get; }

    /// <summary>The version of the default ONNX domain that the node's graph or function imports.</summary>
    public long Opset { get; }

    /// <summary>Number of inputs the node lists, omitted optional ones (empty names) included.</summary>
    public int InputCount { get; }

    /// <summary>The node's output names; an empty name is an omitted optional output.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>Whether output <paramref name="index"/> is listed and named.</summary>
    public bool UsesOutput(int index) => index < Outputs.Count && Outputs[index].Length > 0;
}

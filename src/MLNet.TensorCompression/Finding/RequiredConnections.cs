using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>Checks that a node has the inputs and the output a pattern reads.</summary>
internal static class RequiredConnections
{
    /// <summary>Why the node cannot be read as a layer (a required input or its output is missing), or null.</summary>
    /// <param name="node">The node.</param>
    /// <param name="inputs">The operator's names for its leading required inputs, e.g. "X", "W".</param>
    public static string? Problem(NodeProto node, params string[] inputs)
    {
        var missing = inputs.Where((_, i) => i >= node.Input.Count || node.Input[i].Length == 0).ToArray();
        return missing.Length > 0 ? $"missing input {string.Join(", ", missing)}"
            : node.Output.Count == 0 || node.Output[0].Length == 0 ? "missing output"
            : null;
    }

    /// <summary>The optional input at <paramref name="index"/>, or null when it is absent or left empty.</summary>
    public static string? OptionalInput(NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length > 0 ? node.Input[index] : null;
}

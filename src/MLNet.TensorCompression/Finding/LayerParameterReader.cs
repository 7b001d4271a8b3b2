using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Resolves and reads a layer's weight and bias, with the checks every pattern shares: the tensor must be a FLOAT
/// constant, a weight must feed only this layer, and the values must be finite.
/// </summary>
internal sealed class LayerParameterReader(ConstantResolver constants, GraphUsage usage)
{
    /// <summary>The graph's constants, for patterns that must look at operands before choosing the weight.</summary>
    public ConstantResolver Constants { get; } = constants;

    /// <summary>Resolves the node input <paramref name="tensorName"/> as a FLOAT constant.</summary>
    /// <param name="tensorName">The input read.</param>
    /// <param name="role">"weight" or "bias", for the reason.</param>
    /// <param name="parameter">The constant, when it is usable.</param>
    /// <param name="skipReason">Otherwise why the node is skipped.</param>
    public bool TryResolveFloat(
        string tensorName, string role,
        [NotNullWhen(true)] out ConstantTensor? parameter, [NotNullWhen(false)] out string? skipReason)
    {
        if (!Constants.TryResolve(tensorName, out parameter, out var whyNot))
        {
            skipReason = $"{role} {whyNot}";
            return false;
        }

        // Compressed layers are written as FLOAT; rewriting a DOUBLE or FLOAT16 layer would break the graph's types.
        if (!parameter.IsFloat)
        {
            skipReason = $"{role} '{parameter.SourceName}' has element type {parameter.ElementTypeName}; only FLOAT layers are compressed";
            return false;
        }

        skipReason = null;
        return true;
    }

    /// <summary>
    /// Resolves the weight input <paramref name="tensorName"/> of <paramref name="node"/>: a FLOAT constant whose shape
    /// the pattern accepts, with no empty axis, read by no other node and not a graph output.
    /// </summary>
    /// <param name="node">The layer's node.</param>
    /// <param name="tensorName">The input holding the weight.</param>
    /// <param name="shapeProblem">The pattern's shape check: why a shape is not accepted, or null.</param>
    /// <param name="weight">The weight, when it is usable.</param>
    /// <param name="skipReason">Otherwise why the node is skipped.</param>
    public bool TryResolveWeight(
        NodeProto node, string tensorName, Func<ConstantTensor, string?> shapeProblem,
        [NotNullWhen(true)] out ConstantTensor? weight, [NotNullWhen(false)] out string? skipReason)
    {
        if (!TryResolveFloat(tensorName, "weight", out weight, out skipReason))
        {
            return false;
        }

        skipReason = shapeProblem(weight)
            ?? (weight.Shape.Contains(0) ? $"weight '{weight.SourceName}' has shape {weight.FormattedShape}, with an empty axis" : null)
            ?? SharingProblem(node, weight);
        return skipReason is null;
    }

    /// <summary>Reads a resolved parameter as floats, throwing if any element is NaN or infinite.</summary>
    /// <exception cref="OnnxModelException">The tensor holds a NaN or an infinity; the message names the node, the tensor and the element.</exception>
    public static float[] ReadFinite(NodeProto node, ConstantTensor parameter, string role)
    {
        var data = FloatTensorProto.Read(parameter.Value).Data;
        for (var i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                var value = float.IsNaN(data[i]) ? "NaN" : data[i] > 0 ? "+Infinity" : "-Infinity";
                throw new OnnxModelException($"The {role} '{parameter.SourceName}' of node '{NodeNames.Of(node)}' holds {value} at element {i}.");
            }
        }

        return data;
    }

    /// <summary>
    /// Why the weight cannot be replaced for this node alone: another node reads it (directly or before an Identity),
    /// or it is a graph output. Null when the layer owns it.
    /// </summary>
    private string? SharingProblem(NodeProto layerNode, ConstantTensor weight)
    {
        for (var i = 0; i < weight.TensorNames.Count; i++)
        {
            var name = weight.TensorNames[i];
            var owner = i == 0 ? layerNode : weight.Forwarders[i - 1];
            var other = usage.ConsumersOf(name).FirstOrDefault(consumer => !ReferenceEquals(consumer, owner));
            if (other is not null)
            {
                return $"weight shared with node '{NodeNames.Of(ReaderBehindIdentities(other))}'";
            }

            if (usage.IsGraphOutput(name))
            {
                return $"weight '{name}' is also a graph output";
            }
        }

        return null;
    }

    /// <summary>The first node that does more than pass the tensor on: the user cares about the other layer, not the Identity in between.</summary>
    private NodeProto ReaderBehindIdentities(NodeProto reader)
    {
        var visited = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        while (OperatorDomain.IsDefault(reader) && reader.OpType == "Identity" && reader.Output.Count == 1 && visited.Add(reader)
            && usage.ConsumersOf(reader.Output[0]) is [var next, ..])
        {
            reader = next;
        }

        return reader;
    }
}

using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Tells whether a tensor of the main graph is a constant, following <c>Identity</c> nodes back to an initializer or a
/// <c>Constant</c> node. An initializer that is also a graph input (models before IR version 4 list them so) counts as
/// a constant: ONNX calls it a default a caller may override, but exporters and tools treat it as the weight it is.
/// </summary>
internal sealed class ConstantResolver
{
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> sparseInitializers;
    private readonly HashSet<string> graphInputs;
    private readonly GraphUsage usage;

    public ConstantResolver(GraphProto graph, GraphUsage usage)
    {
        foreach (var initializer in graph.Initializer)
        {
            initializers.TryAdd(initializer.Name, initializer);
        }

        sparseInitializers = graph.SparseInitializer.Select(sparse => sparse.Values?.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        graphInputs = graph.Input.Select(input => input.Name).ToHashSet(StringComparer.Ordinal);
        this.usage = usage;
    }

    /// <summary>Resolves <paramref name="tensorName"/> to the constant it holds.</summary>
    /// <param name="tensorName">A tensor a node reads.</param>
    /// <param name="constant">The constant, when there is one.</param>
    /// <param name="whyNot">
    /// Otherwise what the tensor is instead, as a predicate to put after "weight" or "bias",
    /// e.g. "is not a constant ('x' is a graph input)".
    /// </param>
    public bool TryResolve(string tensorName, [NotNullWhen(true)] out ConstantTensor? constant, [NotNullWhen(false)] out string? whyNot)
    {
        var names = new List<string>();
        var forwarders = new List<NodeProto>();
        var name = tensorName;
        constant = null;
        while (true)
        {
            names.Add(name);
            if (initializers.TryGetValue(name, out var initializer))
            {
                constant = new ConstantTensor(initializer, name, names, forwarders);
                whyNot = null;
                return true;
            }

            if (sparseInitializers.Contains(name))
            {
                whyNot = $"is a sparse initializer ('{name}'), which is not supported";
                return false;
            }

            var producer = usage.ProducerOf(name);
            if (producer is null)
            {
                whyNot = graphInputs.Contains(name)
                    ? $"is not a constant ('{name}' is a graph input)"
                    : $"is not a constant ('{name}' is neither an initializer nor a node output)";
                return false;
            }

            if (OperatorDomain.IsDefault(producer) && producer.OpType == "Constant")
            {
                return TryReadConstantNode(producer, name, names, forwarders, out constant, out whyNot);
            }

            if (!OperatorDomain.IsDefault(producer) || producer.OpType != "Identity" || producer.Input.Count != 1)
            {
                whyNot = $"is not a constant ('{name}' is computed by {producer.OpType} node '{NodeNames.Of(producer)}')";
                return false;
            }

            // A valid graph is acyclic; a cycle of Identity nodes would otherwise loop forever.
            if (forwarders.Any(forwarder => ReferenceEquals(forwarder, producer)))
            {
                whyNot = $"is not a constant ('{name}' lies on a cycle of Identity nodes)";
                return false;
            }

            forwarders.Add(producer);
            name = producer.Input[0];
        }
    }

    private static bool TryReadConstantNode(
        NodeProto node, string outputName, List<string> names, List<NodeProto> forwarders,
        [NotNullWhen(true)] out ConstantTensor? constant, [NotNullWhen(false)] out string? whyNot)
    {
        constant = null;
        var attribute = node.Attribute.Count == 1 ? node.Attribute[0] : null;
        var value = attribute?.Name switch
        {
            "value" => attribute.T,
            "value_float" => FloatTensorProto.Create(outputName, ReadOnlySpan<int>.Empty, [attribute.F]),
            "value_floats" => FloatTensorProto.Create(outputName, [attribute.Floats.Count], attribute.Floats.ToArray()),
            "value_int" => new TensorProto { Name = outputName, DataType = (int)DataType.Int64, Int64Data = { attribute.I } },
            "value_ints" => new TensorProto { Name = outputName, DataType = (int)DataType.Int64, Dims = { attribute.Ints.Count }, Int64Data = { attribute.Ints } },
            _ => null,
        };
        if (value is null)
        {
            var held = attribute is null ? $"{node.Attribute.Count} attributes instead of one value" : $"'{attribute.Name}'";
            whyNot = $"is not a supported constant ('{outputName}' comes from Constant node '{NodeNames.Of(node)}' holding {held})";
            return false;
        }

        constant = new ConstantTensor(value, outputName, names, forwarders);
        whyNot = null;
        return true;
    }
}

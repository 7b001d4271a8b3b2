using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Finds the layers of an ONNX graph whose weights can be replaced by a factorised form, and says why the other
/// weighted nodes cannot.
/// </summary>
/// <remarks>
/// <para>
/// Compressible patterns (default ONNX domain, main graph): a 2-D <c>Conv</c> with group 1; <c>Gemm</c> with
/// transA = 0; <c>MatMul</c> with one constant 2-D operand, fused with a following bias <c>Add</c> when the weight is
/// on the right. Weights and biases must be FLOAT constants: initializers or <c>Constant</c> nodes, possibly behind
/// <c>Identity</c> nodes. An initializer that is also a graph input (pre-IR-4 style, overridable at run time in
/// principle) is found like any constant; planning keeps such a layer dense unless an override asks for a format
/// (see <see cref="OnnxModelCompressor"/>).
/// </para>
/// <para>
/// Size is not judged here: every layer of a supported pattern is listed, however small. Skipped are structural
/// problems only (grouped or non-2-D convolution, transposed activation, weight not constant, not FLOAT, or shared
/// with another node, ...), Conv/Gemm/MatMul nodes inside <c>If</c>/<c>Loop</c>/<c>Scan</c> bodies, and every other node with a floating-point constant input of at least two non-trivial axes
/// (e.g. <c>ConvTranspose</c>, <c>LSTM</c>); activation functions and other weightless nodes are not listed.
/// </para>
/// </remarks>
public static class LayerFinder
{
    private const string SupportedOperators = "only Conv, Gemm and MatMul are compressed";

    /// <summary>Finds the compressible layers of <c>model.Graph</c> in graph order, and the skipped ones with reasons. Never modifies the model.</summary>
    /// <param name="model">The model to scan.</param>
    /// <returns>
    /// The layers, with <see cref="CompressibleLayer.ApplicationsPerSample"/> measured by running a copy of the model
    /// once in ONNX Runtime when the graph does not declare the shapes (null where that is impossible, with
    /// <see cref="LayerScan.ShapeProbeFailure"/> saying why), and the skipped nodes.
    /// </returns>
    /// <exception cref="OnnxModelException">
    /// A compressible layer's weight or bias holds a NaN or an infinity (the message names the node, the tensor and the
    /// element), or a tensor's data is unreadable.
    /// </exception>
    public static LayerScan Find(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var usage = new GraphUsage(graph);
        var constants = new ConstantResolver(graph, usage);
        var parameters = new LayerParameterReader(constants, usage);
        var matches = new List<LayerMatch>();
        var skipped = new List<SkippedLayer>();
        var matchedNodes = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var node in graph.Node)
        {
            skipped.AddRange(LayersInBodies(node));
            if (matchedNodes.Contains(node))
            {
                continue;
            }

            if (!IsLayerOperator(node))
            {
                if (HoldsWeight(node, constants))
                {
                    skipped.Add(Skip(node, UnsupportedOperatorReason(node), constants));
                }

                continue;
            }

            if (TryMatch(node, parameters, usage, out var match, out var skipReason))
            {
                matches.Add(match);
                matchedNodes.UnionWith(match.Layer.Nodes);
            }
            else
            {
                skipped.Add(Skip(node, skipReason, constants));
            }
        }

        var applicationTensors = matches.Select(match => match.Applications?.TensorName).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var measured = ShapeProbe.Measure(model, applicationTensors.Union(matches.Select(match => match.Layer.InputName), StringComparer.Ordinal).ToArray());
        var layers = matches.Select(match => WithShapes(match.Layer,
            match.Applications is not { } query ? match.Layer.ApplicationsPerSample : measured.Shapes.TryGetValue(query.TensorName, out var shape) ? query.FromShape(shape) : null,
            measured.Shapes.GetValueOrDefault(match.Layer.InputName)));
        // The input shapes are for timing a layer alone (a latency objective): missing, they are no failure of the scan.
        var failure = applicationTensors.All(measured.Shapes.ContainsKey) ? null : measured.FailureReason;
        return new LayerScan([.. layers], skipped, failure);
    }

    /// <summary>Conv, Gemm and MatMul nodes inside the node's If/Loop/Scan bodies, at any depth: listed, never compressed.</summary>
    private static IEnumerable<SkippedLayer> LayersInBodies(NodeProto node) =>
        node.Attribute.SelectMany(attribute => attribute.Graphs.Prepend(attribute.G).OfType<GraphProto>()
            .SelectMany(body => body.Node.SelectMany(inner =>
            {
                var here = IsLayerOperator(inner)
                    ? [new SkippedLayer(NodeNames.Of(inner), inner.OpType, $"inside the '{attribute.Name}' body of {node.OpType} node '{NodeNames.Of(node)}' (only main-graph layers are compressed)", null)]
                    : Array.Empty<SkippedLayer>();
                return here.Concat(LayersInBodies(inner));
            })));

    private static bool IsLayerOperator(NodeProto node) =>
        OperatorDomain.IsDefault(node) && node.OpType is "Conv" or "Gemm" or "MatMul";

    private static bool TryMatch(
        NodeProto node, LayerParameterReader parameters, GraphUsage usage,
        [NotNullWhen(true)] out LayerMatch? match, [NotNullWhen(false)] out string? skipReason) => node.OpType switch
    {
        "Conv" => ConvLayerMatcher.TryMatch(node, parameters, out match, out skipReason),
        "Gemm" => GemmLayerMatcher.TryMatch(node, parameters, out match, out skipReason),
        _ => MatMulLayerMatcher.TryMatch(node, parameters, usage, out match, out skipReason),
    };

    /// <summary>Whether the node reads a floating-point constant with at least two axes longer than 1: a weight, not a bias or a scale.</summary>
    private static bool HoldsWeight(NodeProto node, ConstantResolver constants)
    {
        // Constant and Identity nodes carry weights to their consumers; the consumers are the ones to list.
        if (OperatorDomain.IsDefault(node) && node.OpType is "Constant" or "Identity")
        {
            return false;
        }

        return ConstantInputs(node, constants).Any(constant => constant.IsFloatingPoint && constant.Shape.Count(size => size > 1) >= 2);
    }

    private static string UnsupportedOperatorReason(NodeProto node) =>
        OperatorDomain.IsDefault(node)
            ? $"{node.OpType} is not a supported layer ({SupportedOperators})"
            : $"operator {node.Domain}.{node.OpType} is not supported ({SupportedOperators}, from the default ONNX domain)";

    private static SkippedLayer Skip(NodeProto node, string reason, ConstantResolver constants)
    {
        var parameters = ConstantInputs(node, constants).Where(constant => constant.IsFloatingPoint).ToArray();
        return new SkippedLayer(NodeNames.Of(node), node.OpType, reason, parameters.Length == 0 ? null : SumOfElements(node, parameters));
    }

    private static long SumOfElements(NodeProto node, ConstantTensor[] parameters)
    {
        long sum = 0;
        foreach (var parameter in parameters)
        {
            var elements = parameter.ElementCount;
            sum = elements > long.MaxValue - sum
                ? throw new OnnxModelException($"The parameters of node '{NodeNames.Of(node)}' declare more than {long.MaxValue} elements (tensor '{parameter.SourceName}' has shape {parameter.FormattedShape}).")
                : sum + elements;
        }

        return sum;
    }

    private static IEnumerable<ConstantTensor> ConstantInputs(NodeProto node, ConstantResolver constants)
    {
        foreach (var input in node.Input.Where(input => input.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (constants.TryResolve(input, out var constant, out _))
            {
                yield return constant;
            }
        }
    }

    private static CompressibleLayer WithShapes(CompressibleLayer layer, long? applicationsPerSample, long[]? inputShape) =>
        layer with { ApplicationsPerSample = applicationsPerSample, InputShape = inputShape };
}

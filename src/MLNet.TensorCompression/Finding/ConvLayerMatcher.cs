using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Recognises a 2-D, ungrouped <c>Conv</c> with a constant kernel [C_out, C_in, kh, kw] and an optional constant bias
/// [C_out]. Any strides, pads, dilations and auto_pad are kept as attributes.
/// </summary>
internal static class ConvLayerMatcher
{
    private static readonly HashSet<string> GeometryAttributes = new(StringComparer.Ordinal) { "strides", "pads", "dilations", "auto_pad" };

    public static bool TryMatch(
        NodeProto node, LayerParameterReader parameters,
        [NotNullWhen(true)] out LayerMatch? match, [NotNullWhen(false)] out string? skipReason)
    {
        match = null;
        skipReason = RequiredConnections.Problem(node, "X", "W");
        if (skipReason is not null)
        {
            return false;
        }

        var group = NodeAttributes.Int(node, "group", 1);
        if (group != 1)
        {
            skipReason = $"grouped convolution (group={group})";
            return false;
        }

        if (!parameters.TryResolveWeight(node, node.Input[1], KernelRankProblem, out var weight, out skipReason))
        {
            return false;
        }

        var outputChannels = weight.Shape[0];
        ConstantTensor? bias = null;
        var biasName = RequiredConnections.OptionalInput(node, 2);
        if (biasName is not null)
        {
            if (!parameters.TryResolveFloat(biasName, "bias", out bias, out skipReason))
            {
                return false;
            }

            if (bias.Shape is not [var length] || length != outputChannels)
            {
                skipReason = $"bias '{bias.SourceName}' has shape {bias.FormattedShape}, expected [{outputChannels}]";
                return false;
            }
        }

        var layer = new CompressibleLayer
        {
            Name = NodeNames.Of(node),
            Kind = LayerKind.Convolution,
            OpType = "Conv",
            InputName = node.Input[0],
            OutputName = node.Output[0],
            Weight = new FloatTensorData(weight.SourceName, weight.Shape.Select(size => (int)size).ToArray(), LayerParameterReader.ReadFinite(node, weight, "weight")),
            Bias = bias is null ? null : LayerParameterReader.ReadFinite(node, bias, "bias"),
            ConvolutionAttributes = node.Attribute.Where(attribute => GeometryAttributes.Contains(attribute.Name)).Select(attribute => attribute.Clone()).ToArray(),
            Nodes = [node],
            ParameterTensorNames = [.. weight.TensorNames, .. bias?.TensorNames ?? []],
        };
        match = new LayerMatch(layer, new LayerMatch.ShapeQuery(node.Output[0], OutputPixels));
        return true;
    }

    private static string? KernelRankProblem(ConstantTensor weight) => weight.Shape.Length switch
    {
        4 => null,
        3 => "1-D convolution (kernel rank 3)",
        5 => "3-D convolution (kernel rank 5)",
        _ => $"weight '{weight.SourceName}' has shape {weight.FormattedShape}; only 2-D convolutions (kernel rank 4) are compressed",
    };

    /// <summary>H'·W' from the output shape [N, C_out, H', W'].</summary>
    private static long? OutputPixels(IReadOnlyList<long> outputShape) =>
        outputShape.Count == 4 ? outputShape[2] * outputShape[3] : null;
}

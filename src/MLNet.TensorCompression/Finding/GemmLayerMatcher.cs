using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Recognises <c>Gemm(A, B, C)</c> = alpha·A·op(B) + beta·C with the activation A untransposed and a constant 2-D
/// weight B. The weight becomes [out, in] (transB undone, alpha folded in); a constant C that holds one value per
/// output ([out], [1, out], [1], [1, 1] or a scalar) becomes the bias with beta folded in.
/// </summary>
internal static class GemmLayerMatcher
{
    public static bool TryMatch(
        NodeProto node, LayerParameterReader parameters,
        [NotNullWhen(true)] out LayerMatch? match, [NotNullWhen(false)] out string? skipReason)
    {
        match = null;
        skipReason = RequiredConnections.Problem(node, "A", "B");
        if (skipReason is not null)
        {
            return false;
        }

        var transA = NodeAttributes.Int(node, "transA", 0);
        if (transA != 0)
        {
            skipReason = $"transA={transA}: the activation is transposed";
            return false;
        }

        if (!parameters.TryResolveWeight(node, node.Input[1], MatrixProblem, out var weight, out skipReason))
        {
            return false;
        }

        var transB = NodeAttributes.Int(node, "transB", 0) != 0;
        var outputs = (int)weight.Shape[transB ? 0 : 1];
        var inputs = (int)weight.Shape[transB ? 1 : 0];
        ConstantTensor? bias = null;
        var biasName = RequiredConnections.OptionalInput(node, 2);
        if (biasName is not null)
        {
            if (!parameters.TryResolveFloat(biasName, "bias", out bias, out skipReason))
            {
                return false;
            }

            if (!IsPerOutput(bias.Shape, outputs))
            {
                skipReason = $"bias C '{bias.SourceName}' has shape {bias.FormattedShape}, not one value per output (expected [{outputs}], [1,{outputs}] or a single value)";
                return false;
            }
        }

        var alpha = NodeAttributes.Float(node, "alpha", 1f);
        var beta = NodeAttributes.Float(node, "beta", 1f);
        var stored = LayerParameterReader.ReadFinite(node, weight, "weight");
        var canonical = new float[stored.Length];
        for (var o = 0; o < outputs; o++)
        {
            for (var i = 0; i < inputs; i++)
            {
                canonical[o * inputs + i] = alpha * stored[transB ? o * inputs + i : i * outputs + o];
            }
        }

        var layer = new CompressibleLayer
        {
            Name = NodeNames.Of(node),
            Kind = LayerKind.FullyConnected,
            OpType = "Gemm",
            InputName = node.Input[0],
            OutputName = node.Output[0],
            Weight = new FloatTensorData(weight.SourceName, [outputs, inputs], canonical),
            Bias = bias is null ? null : ScaledPerOutput(LayerParameterReader.ReadFinite(node, bias, "bias"), beta, outputs),
            Nodes = [node],
            ParameterTensorNames = [.. weight.TensorNames, .. bias?.TensorNames ?? []],
            // Gemm's A is [batch, in]: the weight is applied once per sample.
            ApplicationsPerSample = 1,
        };
        match = new LayerMatch(layer, null);
        return true;
    }

    private static string? MatrixProblem(ConstantTensor weight) =>
        weight.Shape.Length == 2 ? null : $"weight '{weight.SourceName}' has shape {weight.FormattedShape}, not a matrix";

    /// <summary>Whether C broadcasts to [M, out] with the same value down each column: a shape of [out] or [1] on the last axis, 1 before it.</summary>
    private static bool IsPerOutput(long[] shape, int outputs) => shape switch
    {
        [] => true,
        [var last] => last == outputs || last == 1,
        [1, var last] => last == outputs || last == 1,
        _ => false,
    };

    /// <summary>beta·C as one value per output, repeating a single value.</summary>
    private static float[] ScaledPerOutput(float[] values, float beta, int outputs) =>
        Enumerable.Range(0, outputs).Select(o => beta * values[values.Length == 1 ? 0 : o]).ToArray();
}

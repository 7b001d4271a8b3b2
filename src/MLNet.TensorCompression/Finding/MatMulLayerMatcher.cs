using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Recognises <c>MatMul</c> with one constant 2-D operand. <c>MatMul(x, W[in, out])</c> gives the weight Wᵀ [out, in],
/// fused with a following <c>Add</c> of a constant bias [out] (either operand order) when nothing else reads the
/// product. <c>MatMul(W[out, in], x)</c> keeps W as it is and sets <see cref="CompressibleLayer.WeightOnLeft"/>; its
/// per-output bias would have to be [out, 1], so no <c>Add</c> is fused there.
/// </summary>
internal static class MatMulLayerMatcher
{
    public static bool TryMatch(
        NodeProto node, LayerParameterReader parameters, GraphUsage usage,
        [NotNullWhen(true)] out LayerMatch? match, [NotNullWhen(false)] out string? skipReason)
    {
        match = null;
        skipReason = RequiredConnections.Problem(node, "A", "B");
        if (skipReason is not null)
        {
            return false;
        }

        var leftIsConstant = parameters.Constants.TryResolve(node.Input[0], out _, out var leftWhyNot);
        var rightIsConstant = parameters.Constants.TryResolve(node.Input[1], out _, out var rightWhyNot);
        if (leftIsConstant == rightIsConstant)
        {
            skipReason = leftIsConstant
                ? "both operands are constants (constant folding would remove the node)"
                : $"neither operand is a constant (A {leftWhyNot}; B {rightWhyNot})";
            return false;
        }

        var weightOnLeft = leftIsConstant;
        var activationName = node.Input[weightOnLeft ? 1 : 0];
        if (!parameters.TryResolveWeight(node, node.Input[weightOnLeft ? 0 : 1], MatrixProblem, out var weight, out skipReason))
        {
            return false;
        }

        var stored = LayerParameterReader.ReadFinite(node, weight, "weight");
        int rows = (int)weight.Shape[0], columns = (int)weight.Shape[1];
        var (outputs, inputs) = weightOnLeft ? (rows, columns) : (columns, rows);
        var canonical = weightOnLeft ? stored : Transpose(stored, rows, columns);
        var biasAdd = weightOnLeft ? null : FindBiasAdd(node, outputs, parameters, usage);
        var nodes = biasAdd is null ? new[] { node } : [node, biasAdd.Node];
        var layer = new CompressibleLayer
        {
            Name = NodeNames.Of(node),
            Kind = LayerKind.FullyConnected,
            OpType = biasAdd is null ? "MatMul" : "MatMul+Add",
            InputName = activationName,
            OutputName = biasAdd is null ? node.Output[0] : biasAdd.Node.Output[0],
            Weight = new FloatTensorData(weight.SourceName, [outputs, inputs], canonical),
            Bias = biasAdd is null ? null : LayerParameterReader.ReadFinite(biasAdd.Node, biasAdd.Bias, "bias"),
            WeightOnLeft = weightOnLeft,
            Nodes = nodes,
            ParameterTensorNames = [.. weight.TensorNames, .. biasAdd?.Bias.TensorNames ?? []],
        };
        match = new LayerMatch(layer, new LayerMatch.ShapeQuery(activationName, shape => weightOnLeft ? ColumnApplications(shape, inputs) : RowApplications(shape, inputs)));
        return true;
    }

    private static string? MatrixProblem(ConstantTensor weight) =>
        weight.Shape.Length == 2 ? null : $"constant operand '{weight.SourceName}' has shape {weight.FormattedShape}; only a 2-D weight is compressed";

    /// <summary>The Add that adds a constant [out] bias to the MatMul's product, when the product goes nowhere else.</summary>
    private static BiasAdd? FindBiasAdd(NodeProto matMul, int outputs, LayerParameterReader parameters, GraphUsage usage)
    {
        var product = matMul.Output[0];
        if (usage.IsGraphOutput(product) || usage.ConsumersOf(product) is not [var add])
        {
            return null;
        }

        if (!OperatorDomain.IsDefault(add) || add.OpType != "Add" || RequiredConnections.Problem(add, "A", "B") is not null)
        {
            return null;
        }

        // Add(y, y) reads the product twice and has no bias operand.
        var biasName = add.Input[0] == product ? add.Input[1] : add.Input[0];
        if (biasName == product
            || !parameters.TryResolveFloat(biasName, "bias", out var bias, out _)
            || bias.Shape is not [var length] || length != outputs)
        {
            return null;
        }

        return new BiasAdd(add, bias);
    }

    /// <summary>y = x·W for x [batch, ..., in]: once per position between the batch axis and the last.</summary>
    private static long? RowApplications(IReadOnlyList<long> inputShape, int inputs) =>
        inputShape.Count == 0 || inputShape[^1] != inputs ? null
        : inputShape.Skip(1).SkipLast(1).Aggregate(1L, (product, size) => product * size);

    /// <summary>
    /// y = W·x for x [batch, ..., in, columns] (or [in, columns], which has no batch axis): once per column and per
    /// position between the batch axis and the contracted one. A 1-D x [in] is a single application.
    /// </summary>
    private static long? ColumnApplications(IReadOnlyList<long> inputShape, int inputs) => inputShape.Count switch
    {
        0 => null,
        1 => inputShape[0] == inputs ? 1 : null,
        _ when inputShape[^2] != inputs => null,
        2 => inputShape[1],
        _ => inputShape.Skip(1).SkipLast(2).Aggregate(inputShape[^1], (product, size) => product * size),
    };

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var transposed = new float[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                transposed[c * rows + r] = matrix[r * columns + c];
            }
        }

        return transposed;
    }

    private sealed record BiasAdd(NodeProto Node, ConstantTensor Bias);
}

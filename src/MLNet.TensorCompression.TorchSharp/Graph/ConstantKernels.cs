using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Ops that make values from attributes or from shapes: Constant and Shape.</summary>
internal static class ConstantKernels
{
    /// <summary>value (a tensor), value_float(s) or value_int(s); the value is built once, at compile time.</summary>
    public static OpKernel Constant(OpNode node)
    {
        var attributes = node.Attributes;
        Func<Tensor> make;
        if (attributes.Tensor("value") is { } proto) make = () => TorchTensorProtos.ToTorch(proto, $"value of {node.Description}");
        else if (attributes.Has("value_float")) make = () => tensor(attributes.Float("value_float", 0f));
        else if (attributes.Floats("value_floats") is { } floats) make = () => tensor(floats);
        else if (attributes.Has("value_int")) make = () => tensor(attributes.Int("value_int", 0));
        else if (attributes.Ints("value_ints") is { } ints) make = () => tensor(ints);
        else
            throw new NotSupportedException(
                $"{node.Description} has none of value, value_float(s), value_int(s) (attributes: {string.Join(", ", attributes.ByName.Keys)}).");
        // The compiler folds nodes without inputs, so this runs once.
        return _ => [make()];
    }

    /// <summary>The input's shape as int64, optionally only axes [start, end) (opset 15), both clamped to the rank.</summary>
    public static OpKernel Shape(OpNode node)
    {
        var startAttribute = node.Attributes.Int("start", 0);
        long? endAttribute = node.Attributes.Has("end") ? node.Attributes.Int("end", 0) : null;
        return inputs =>
        {
            var shape = Required(inputs, 0, node.Description).shape;
            var rank = shape.Length;
            var start = Math.Clamp(startAttribute < 0 ? startAttribute + rank : startAttribute, 0, rank);
            var end = endAttribute is { } e ? Math.Clamp(e < 0 ? e + rank : e, 0, rank) : rank;
            return [tensor(shape[(int)start..(int)Math.Max(start, end)], ScalarType.Int64)];
        };
    }
}

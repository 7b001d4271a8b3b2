using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>Ops that make values from attributes or from shapes, or convert them: Constant, Shape and Cast.</summary>
internal static class ConstantKernels
{
    /// <summary>value (a tensor), value_float(s) or value_int(s); the value is built once, at compile time.</summary>
    public static OpKernel Constant(OpNode node)
    {
        var attributes = node.Attributes;
        Func<Tensor> make;
        if (attributes.Tensor("value") is { } proto) make = () => TorchTensorProtos.ConstantToTorch(proto, $"value of {node.Description}");
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

    /// <summary>
    /// To FLOAT or INT64, the element types this executor carries (opsets below 9 write integer vectors as a DOUBLE
    /// Constant cast to INT64, which the compiler folds). A cast to INT64 truncates towards zero, as ONNX's does.
    /// </summary>
    public static OpKernel Cast(OpNode node)
    {
        var to = node.Attributes.Int("to", 0);
        var type = to switch
        {
            (long)DataType.Float => ScalarType.Float32,
            (long)DataType.Int64 => ScalarType.Int64,
            _ => throw new NotSupportedException(
                $"{node.Description} casts to {TorchTensorProtos.ElementTypeName((int)to)}; OnnxTorchGraph runs FLOAT tensors, and INT64 for shapes and indices."),
        };
        return inputs => [Required(inputs, 0, node.Description).to_type(type)];
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

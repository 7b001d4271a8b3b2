using static MLNet.TensorCompression.TorchSharp.Graph.KernelInputs;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// Ops that move or select elements without arithmetic: Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Concat,
/// Slice, Tile, and the pass-throughs Identity and Dropout. Shape-like inputs are int64 tensors read to long[] per call.
/// </summary>
internal static class ShapeKernels
{
    public static OpKernel Identity(OpNode node) => inputs => [Required(inputs, 0, node.Description)];

    /// <summary>Dropout does nothing at inference, and this executor trains with it off too.</summary>
    public static OpKernel Dropout(OpNode node) =>
        node.UsesOutput(1)
            ? throw new NotSupportedException($"{node.Description} asks for the mask output.")
            : Identity(node);

    public static OpKernel Flatten(OpNode node)
    {
        var axisAttribute = node.Attributes.Int("axis", 1);
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var shape = x.shape;
            // axis may equal the rank (everything in the outer part).
            var axis = (int)(axisAttribute < 0 ? axisAttribute + shape.Length : axisAttribute);
            var outer = shape[..axis].Aggregate(1L, (p, s) => p * s);
            var inner = shape[axis..].Aggregate(1L, (p, s) => p * s);
            return [x.reshape(outer, inner)];
        };
    }

    /// <summary>A 0 in the target copies the input's size on that axis (unless allowzero); -1 is inferred.</summary>
    public static OpKernel Reshape(OpNode node)
    {
        var allowZero = node.Attributes.Int("allowzero", 0) != 0;
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var target = TorchTensorProtos.ReadLongs(Required(inputs, 1, node.Description), $"shape input of {node.Description}");
            if (!allowZero)
            {
                for (var i = 0; i < target.Length; i++)
                    if (target[i] == 0) target[i] = x.shape[i];
            }

            return [x.reshape(target)];
        };
    }

    public static OpKernel Transpose(OpNode node)
    {
        var permutation = node.Attributes.Ints("perm");
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            return [x.permute(permutation ?? Enumerable.Range(0, (int)x.ndim).Reverse().Select(a => (long)a).ToArray())];
        };
    }

    /// <summary>Axes are an attribute before opset 13 and an optional input from 13; none squeezes every size-1 axis.</summary>
    public static OpKernel Squeeze(OpNode node)
    {
        var attributeAxes = node.Opset < 13 ? node.Attributes.Ints("axes") : null;
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var axes = node.Opset < 13 ? attributeAxes : ReadOptionalLongs(inputs, 1, node);
            if (axes is null) return [x.squeeze()];
            var normalized = axes.Select(a => NormalizeAxis(a, x.ndim, node.Description)).OrderDescending();
            foreach (var axis in normalized) x = x.squeeze(axis);
            return [x];
        };
    }

    /// <summary>Axes are an attribute before opset 13 and an input from 13; they index the output's axes.</summary>
    public static OpKernel Unsqueeze(OpNode node)
    {
        var attributeAxes = node.Opset < 13 ? node.Attributes.Ints("axes") ?? throw new NotSupportedException($"{node.Description} has no axes.") : null;
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            var axes = attributeAxes ?? TorchTensorProtos.ReadLongs(Required(inputs, 1, node.Description), $"axes input of {node.Description}");
            var outputRank = x.ndim + axes.Length;
            foreach (var axis in axes.Select(a => NormalizeAxis(a, outputRank, node.Description)).Order()) x = x.unsqueeze(axis);
            return [x];
        };
    }

    public static OpKernel Concat(OpNode node)
    {
        var axis = node.Attributes.Has("axis") ? node.Attributes.Int("axis", 0) : throw new NotSupportedException($"{node.Description} has no axis.");
        return inputs =>
        {
            var parts = inputs.Where(t => t is not null).Select(t => t!).ToArray();
            return [cat(parts, NormalizeAxis(axis, parts[0].ndim, node.Description))];
        };
    }

    public static OpKernel Tile(OpNode node) =>
        inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            return [x.repeat(TorchTensorProtos.ReadLongs(Required(inputs, 1, node.Description), $"repeats input of {node.Description}"))];
        };

    /// <summary>starts/ends/axes/steps are inputs from opset 10 and attributes (no steps) before; out-of-range bounds clamp.</summary>
    public static OpKernel Slice(OpNode node)
    {
        var attributeStarts = node.Opset < 10 ? node.Attributes.Ints("starts") : null;
        var attributeEnds = node.Opset < 10 ? node.Attributes.Ints("ends") : null;
        var attributeAxes = node.Opset < 10 ? node.Attributes.Ints("axes") : null;
        return inputs =>
        {
            var x = Required(inputs, 0, node.Description);
            long[] starts, ends;
            long[]? axes, steps;
            if (node.Opset < 10)
            {
                starts = attributeStarts ?? throw new InvalidOperationException($"{node.Description} has no starts.");
                ends = attributeEnds ?? throw new InvalidOperationException($"{node.Description} has no ends.");
                axes = attributeAxes;
                steps = null;
            }
            else
            {
                starts = TorchTensorProtos.ReadLongs(Required(inputs, 1, node.Description), $"starts input of {node.Description}");
                ends = TorchTensorProtos.ReadLongs(Required(inputs, 2, node.Description), $"ends input of {node.Description}");
                axes = ReadOptionalLongs(inputs, 3, node);
                steps = ReadOptionalLongs(inputs, 4, node);
            }

            for (var i = 0; i < starts.Length; i++)
            {
                var axis = NormalizeAxis(axes?[i] ?? i, x.ndim, node.Description);
                x = SliceAxis(x, axis, starts[i], ends[i], steps?[i] ?? 1, node.Description);
            }

            return [x];
        };
    }

    private static Tensor SliceAxis(Tensor x, long axis, long start, long end, long step, string description)
    {
        var size = x.shape[axis];
        if (step == 0) throw new InvalidOperationException($"{description} has step 0.");
        if (start < 0) start += size;
        if (end < 0) end += size;
        if (step > 0)
        {
            start = Math.Clamp(start, 0, size);
            end = Math.Clamp(end, start, size);
            return x.slice(axis, start, end, step);
        }

        // torch slices forwards only: pick the indices of a backward slice explicitly.
        start = Math.Clamp(start, -1, size - 1);
        end = Math.Clamp(end, -1, size - 1);
        var indices = new List<long>();
        for (var i = start; i > end; i += step) indices.Add(i);
        using var index = tensor(indices.ToArray(), ScalarType.Int64);
        return x.index_select(axis, index);
    }

    private static long[]? ReadOptionalLongs(Tensor?[] inputs, int index, OpNode node) =>
        Optional(inputs, index) is { } value ? TorchTensorProtos.ReadLongs(value, $"input {index} of {node.Description}") : null;
}

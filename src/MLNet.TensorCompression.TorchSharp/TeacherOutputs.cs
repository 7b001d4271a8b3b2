using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// The original model's outputs for every row, computed once before training so that a distillation step runs the
/// student only. The teacher is frozen, so its outputs are the same every epoch; ONNX Runtime computes them (measured
/// on the VGG sample, 2 cores: faster than the TorchSharp executor's forward; see the --train-step benchmark).
/// </summary>
internal static class TeacherOutputs
{
    /// <summary>
    /// The values of each of <paramref name="outputs"/> of <paramref name="teacher"/> for every one of
    /// <paramref name="samples"/>: float32 [rows, …] tensors of any shape after the batch axis, outside any dispose scope.
    /// </summary>
    /// <exception cref="NotSupportedException">An output is not batch first (its first axis is not the batch's rows), or changes shape between batches.</exception>
    public static Tensor[] Compute(OnnxModel teacher, CalibrationSet samples, IReadOnlyList<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(samples);
        using var session = new ActivationSession(teacher, outputs);
        var all = new float[outputs.Count][];
        var rowShapes = new long[outputs.Count][];
        var rowsSeen = new long[outputs.Count];
        foreach (var (start, values, shapes) in session.RunMany(samples, outputs))
        {
            for (var i = 0; i < outputs.Count; i++)
            {
                var shape = shapes[i];
                var rowShape = shape.Length == 0 ? null : shape[1..];
                if (rowShape is null || start + shape[0] > samples.Count)
                    throw new NotSupportedException($"Caching the teacher's outputs needs batch-first outputs, but '{outputs[i]}' has shape [{string.Join(",", shape)}] for a batch of rows from {start}; set CacheTeacherOutputs = false.");
                rowShapes[i] ??= rowShape;
                if (!rowShapes[i].SequenceEqual(rowShape))
                    throw new NotSupportedException($"The teacher's output '{outputs[i]}' changes shape between batches ([{string.Join(",", rowShapes[i])}] then [{string.Join(",", rowShape)}] per row); set CacheTeacherOutputs = false.");
                var rowSize = rowShape.Aggregate(1L, (p, s) => p * s);
                all[i] ??= new float[rowSize * samples.Count];
                values[i].CopyTo(all[i].AsSpan((int)(start * rowSize)));
                rowsSeen[i] += shape[0];
            }
        }

        for (var i = 0; i < outputs.Count; i++)
            if (rowsSeen[i] != samples.Count)
                throw new NotSupportedException($"The teacher's output '{outputs[i]}' has {rowsSeen[i]} rows for {samples.Count} samples, so it is not batch first; set CacheTeacherOutputs = false.");

        return all.Select((values, i) => tensor(values, [samples.Count, .. rowShapes[i]]).DetachFromDisposeScope()).ToArray();
    }
}

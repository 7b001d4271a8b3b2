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
    /// <summary>The first output of <paramref name="teacher"/> for each of <paramref name="samples"/>, float32 [rows, classes], outside any dispose scope.</summary>
    /// <exception cref="NotSupportedException">The output is not one vector of scores per row.</exception>
    public static Tensor Compute(OnnxModel teacher, CalibrationSet samples)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(samples);
        string output = teacher.Graph.Output[0].Name;
        using var session = new ActivationSession(teacher, [output]);
        float[] all = [];
        int classes = 0;
        foreach (var (start, values, shape) in session.Run(samples, output))
        {
            if (shape.Length != 2)
                throw new NotSupportedException($"Caching the teacher's outputs needs one vector of scores per row, but its output '{output}' has shape [{string.Join(",", shape)}]; set CacheTeacherOutputs = false.");
            if (start == 0)
            {
                classes = (int)shape[1];
                all = new float[(long)samples.Count * classes];
            }
            values.CopyTo(all.AsSpan(start * classes));
        }
        return tensor(all, [samples.Count, classes]).DetachFromDisposeScope();
    }
}

using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Fitting;

/// <summary>Top-1 accuracy of a classifier model (its first output holds one score per class) on labelled samples.</summary>
internal static class ClassifierAccuracy
{
    public static double Measure(OnnxModel model, CalibrationSet samples, IReadOnlyList<int> labels)
    {
        if (labels.Count != samples.Count)
            throw new ArgumentException($"{labels.Count} labels for {samples.Count} samples.", nameof(labels));
        string output = model.Graph.Output[0].Name;
        using var session = new ActivationSession(model, [output]);
        int correct = 0;
        foreach (var (start, scores, shape) in session.Run(samples, output))
        {
            int count = (int)shape[0], classes = scores.Length / count;
            for (int i = 0; i < count; i++)
            {
                var row = scores.AsSpan(i * classes, classes);
                int best = 0;
                for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
                if (best == labels[start + i]) correct++;
            }
        }
        return (double)correct / samples.Count;
    }
}

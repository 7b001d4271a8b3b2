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
        var scores = ActivationCapture.Capture(model, samples, [output])[output];
        int classes = scores.SampleSize, correct = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            var row = scores.Data.AsSpan(i * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
            if (best == labels[i]) correct++;
        }
        return (double)correct / samples.Count;
    }
}

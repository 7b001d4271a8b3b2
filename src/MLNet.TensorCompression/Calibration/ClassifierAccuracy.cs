using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Calibration;

/// <summary>Top-1 accuracy of a classifier model (its first output holds one score per class) on labelled samples.</summary>
internal static class ClassifierAccuracy
{
    private const int BatchSize = 250;

    public static double Measure(OnnxModel model, CalibrationSet samples, IReadOnlyList<int> labels)
    {
        if (labels.Count != samples.Count)
            throw new ArgumentException($"{labels.Count} labels for {samples.Count} samples.", nameof(labels));
        using var session = new InferenceSession(model.ToBytes());
        using var runOptions = new RunOptions();
        string output = session.OutputNames[0];
        int correct = 0;
        for (int start = 0; start < samples.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, samples.Count - start);
            var batch = samples.Data.AsMemory(start * samples.SampleSize, count * samples.SampleSize);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch, [count, .. samples.SampleShape]);
            using var results = session.Run(runOptions, [samples.InputName], [input], [output]);
            var scores = results[0].GetTensorDataAsSpan<float>();
            int classes = scores.Length / count;
            for (int i = 0; i < count; i++)
            {
                var row = scores.Slice(i * classes, classes);
                int best = 0;
                for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
                if (best == labels[start + i]) correct++;
            }
        }
        return (double)correct / samples.Count;
    }
}

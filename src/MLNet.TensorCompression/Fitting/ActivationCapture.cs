using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// Runs a model on calibration samples in ONNX Runtime and keeps intermediate tensors: each wanted tensor is added as
/// an extra graph output of a copy of the model, and the batches' values are concatenated along the batch axis.
/// </summary>
internal static class ActivationCapture
{
    private const int BatchSize = 100;

    /// <summary>The values of <paramref name="tensorNames"/> for every sample; each is [Count, …] flattened.</summary>
    public static IReadOnlyDictionary<string, CapturedTensor> Capture(OnnxModel model, CalibrationSet samples, IReadOnlyList<string> tensorNames)
    {
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensorNames.Where(n => !outputs.Contains(n)))
            probe.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });

        using var session = new InferenceSession(probe.ToBytes());
        using var runOptions = new RunOptions();
        var parts = tensorNames.ToDictionary(n => n, _ => new List<float[]>(), StringComparer.Ordinal);
        var sampleShapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        for (int start = 0; start < samples.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, samples.Count - start);
            var batch = samples.Data.AsMemory(start * samples.SampleSize, count * samples.SampleSize);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch, [count, .. samples.SampleShape]);
            using var results = session.Run(runOptions, [samples.InputName], [input], tensorNames.ToArray());
            for (int i = 0; i < tensorNames.Count; i++)
            {
                parts[tensorNames[i]].Add(results[i].GetTensorDataAsSpan<float>().ToArray());
                sampleShapes[tensorNames[i]] = results[i].GetTensorTypeAndShape().Shape[1..];
            }
        }
        return tensorNames.ToDictionary(n => n, n => new CapturedTensor(Concatenate(parts[n]), sampleShapes[n], samples.Count), StringComparer.Ordinal);
    }

    private static float[] Concatenate(List<float[]> batches)
    {
        var all = new float[batches.Sum(b => (long)b.Length)];
        long offset = 0;
        foreach (var batch in batches)
        {
            batch.CopyTo(all, offset);
            offset += batch.Length;
        }
        return all;
    }
}

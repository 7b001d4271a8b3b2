using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// An ONNX Runtime session over a copy of a model in which intermediate tensors are extra graph outputs, run on
/// calibration samples one batch at a time, so that the values stream instead of being held for every sample.
/// </summary>
internal sealed class ActivationSession : IDisposable
{
    /// <summary>Samples per run.</summary>
    public const int BatchSize = 100;

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();

    /// <summary>Opens a session in which every one of <paramref name="tensorNames"/> can be fetched.</summary>
    public ActivationSession(OnnxModel model, IEnumerable<string> tensorNames)
    {
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensorNames.Where(outputs.Add))
            probe.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        session = new InferenceSession(probe.ToBytes());
    }

    /// <summary>The values of <paramref name="tensorName"/> for each batch of <paramref name="samples"/>, in order: [count, …] flattened, with its shape.</summary>
    public IEnumerable<(int Start, float[] Values, long[] Shape)> Run(CalibrationSet samples, string tensorName) =>
        RunMany(samples, [tensorName]).Select(batch => (batch.Start, batch.Values[0], batch.Shapes[0]));

    /// <summary>The values of every one of <paramref name="tensorNames"/> for each batch of <paramref name="samples"/>, from one run per batch.</summary>
    public IEnumerable<(int Start, float[][] Values, long[][] Shapes)> RunMany(CalibrationSet samples, IReadOnlyList<string> tensorNames)
    {
        for (int start = 0; start < samples.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, samples.Count - start);
            var batch = samples.Data.AsMemory(start * samples.SampleSize, count * samples.SampleSize);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch, [count, .. samples.SampleShape]);
            using var results = session.Run(runOptions, [samples.InputName], [input], tensorNames);
            yield return (start, results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray(), results.Select(r => r.GetTensorTypeAndShape().Shape).ToArray());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}

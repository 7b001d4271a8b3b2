using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// An ONNX Runtime session over a copy of a model in which intermediate tensors are extra graph outputs, run on
/// calibration samples one batch at a time, so that the values stream instead of being held for every sample.
/// <para>
/// Batches are what the model accepts: <see cref="BatchSize"/> samples when the input's batch axis is symbolic, and
/// exactly the declared size when it is fixed (1 → row by row; a short last batch is padded with copies of its last
/// sample, whose results are dropped). Samples whose shape or element type the input does not accept are refused with
/// the input's declaration before anything runs.
/// </para>
/// </summary>
internal sealed class ActivationSession : IDisposable
{
    /// <summary>Samples per run.</summary>
    public const int BatchSize = 100;

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly Dictionary<string, ValueInfoProto> inputs;

    /// <summary>Opens a session in which every one of <paramref name="tensorNames"/> can be fetched.</summary>
    public ActivationSession(OnnxModel model, IEnumerable<string> tensorNames)
    {
        var probe = model.Clone();
        var outputs = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensorNames.Where(outputs.Add))
            probe.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        session = new InferenceSession(probe.ToBytes());
        inputs = GraphInputs.Fed(model.Graph).ToDictionary(i => i.Name, StringComparer.Ordinal);
    }

    /// <summary>The values of <paramref name="tensorName"/> for each batch of <paramref name="samples"/>, in order: [count, …] flattened, with its shape.</summary>
    public IEnumerable<(int Start, float[] Values, long[] Shape)> Run(CalibrationSet samples, string tensorName) =>
        RunMany(samples, [tensorName]).Select(batch => (batch.Start, batch.Values[0], batch.Shapes[0]));

    /// <summary>
    /// The values of every one of <paramref name="tensorNames"/> for each batch of <paramref name="samples"/>, from one
    /// run per batch; every returned batch holds real samples only.
    /// </summary>
    /// <exception cref="ArgumentException">The model has no such input, or it does not accept the samples' shape or element type.</exception>
    public IEnumerable<(int Start, float[][] Values, long[][] Shapes)> RunMany(CalibrationSet samples, IReadOnlyList<string> tensorNames)
    {
        int? fixedBatch = inputs.TryGetValue(samples.InputName, out var input)
            ? CheckSamples(input, samples)
            : throw new ArgumentException($"The model has no input '{samples.InputName}' to feed the samples to; its inputs are {string.Join(", ", inputs.Keys.Select(k => $"'{k}'"))}.", nameof(samples));
        int batchSize = fixedBatch ?? BatchSize;
        return RunBatches(samples, tensorNames, batchSize, padded: fixedBatch is not null);
    }

    private IEnumerable<(int Start, float[][] Values, long[][] Shapes)> RunBatches(CalibrationSet samples, IReadOnlyList<string> tensorNames, int batchSize, bool padded)
    {
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, samples.Count - start);
            var batch = samples.Data.AsMemory(start * samples.SampleSize, count * samples.SampleSize);
            if (padded && count < batchSize) batch = PadWithLastSample(batch, samples.SampleSize, batchSize);
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch, [padded ? batchSize : count, .. samples.SampleShape]);
            using var results = session.Run(runOptions, [samples.InputName], [input], tensorNames);
            var values = new float[results.Count][];
            var shapes = new long[results.Count][];
            for (int i = 0; i < results.Count; i++)
            {
                var shape = results[i].GetTensorTypeAndShape().Shape;
                var data = results[i].GetTensorDataAsSpan<float>();
                if (count < batchSize && padded && shape.Length > 0 && shape[0] == batchSize)
                {
                    // The padding's rows are the last ones along the batch axis: keep the first count.
                    data = data[..(int)(data.Length / batchSize * count)];
                    shape[0] = count;
                }
                values[i] = data.ToArray();
                shapes[i] = shape;
            }
            yield return (start, values, shapes);
        }
    }

    private static Memory<float> PadWithLastSample(Memory<float> batch, int sampleSize, int batchSize)
    {
        var padded = new float[batchSize * sampleSize];
        batch.Span.CopyTo(padded);
        var last = batch.Span[^sampleSize..];
        for (int offset = batch.Length; offset < padded.Length; offset += sampleSize) last.CopyTo(padded.AsSpan(offset));
        return padded;
    }

    /// <summary>
    /// Checks <paramref name="samples"/> against the declaration of <paramref name="input"/> (element type, rank, fixed
    /// sizes after the batch axis); returns the fixed batch size when the input declares one.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not accept the samples; the message quotes its declaration.</exception>
    public static int? CheckSamples(ValueInfoProto input, CalibrationSet samples)
    {
        var tensor = input.Type?.TensorType;
        if (tensor is not null && tensor.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new ArgumentException($"The model input '{input.Name}' takes {ElementTypeNames.Of(tensor.ElemType)} values; calibration samples are FLOAT (float32).", nameof(samples));
        var dims = tensor?.Shape?.Dim;
        if (dims is null) return null;
        string Declared() => "[" + string.Join(",", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam.Length > 0 ? d.DimParam : "?")) + "]";
        if (dims.Count != samples.SampleShape.Count + 1)
            throw new ArgumentException($"The model input '{input.Name}' is declared {Declared()} (rank {dims.Count}); samples of shape [{string.Join(",", samples.SampleShape)}] with a batch axis have rank {samples.SampleShape.Count + 1}.", nameof(samples));
        for (int axis = 1; axis < dims.Count; axis++)
        {
            if (dims[axis].HasDimValue && dims[axis].DimValue != samples.SampleShape[axis - 1])
                throw new ArgumentException($"The model input '{input.Name}' is declared {Declared()}; samples of shape [{string.Join(",", samples.SampleShape)}] differ at axis {axis}.", nameof(samples));
        }
        return ModelInput.FixedBatchSize(input);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }
}

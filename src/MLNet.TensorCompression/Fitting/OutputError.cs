using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Fitting;

/// <summary>
/// How far a compressed model's outputs are from the original's on a fixed draw of calibration samples: the relative
/// squared error Σ‖ŷ − y‖² / Σ‖y‖² over every float graph output. The original's outputs are computed once, so each
/// measurement costs one session and one pass over the samples. What the data-aware rank allocation ranks candidates by.
/// </summary>
internal sealed class OutputError
{
    private readonly CalibrationSet samples;
    private readonly string[] outputNames;
    private readonly float[][][] originalOutputs;
    private readonly double originalEnergy;

    /// <summary>Draws <paramref name="count"/> of <paramref name="calibration"/>'s samples (seeded) and runs the original on them.</summary>
    public OutputError(OnnxModel original, CalibrationSet calibration, int count, int seed)
    {
        samples = Draw(calibration, Math.Min(count, calibration.Count), seed);
        outputNames = original.Graph.Output
            .Where(o => o.Type?.TensorType?.ElemType == (int)Onnx.Protobuf.TensorProto.Types.DataType.Float)
            .Select(o => o.Name).ToArray();
        if (outputNames.Length == 0)
            throw new ArgumentException($"The model has no float output to measure errors on (outputs: {string.Join(", ", original.Graph.Output.Select(o => o.Name))}).", nameof(original));
        originalOutputs = Outputs(original);
        originalEnergy = originalOutputs.Sum(batch => batch.Sum(values => SumOfSquares(values, null)));
    }

    /// <summary>Σ‖ŷ − y‖² / Σ‖y‖² of <paramref name="model"/> against the original.</summary>
    public double Measure(OnnxModel model)
    {
        var outputs = Outputs(model);
        double error = 0;
        for (int b = 0; b < outputs.Length; b++)
            for (int o = 0; o < outputs[b].Length; o++) error += SumOfSquares(outputs[b][o], originalOutputs[b][o]);
        return originalEnergy == 0 ? error : error / originalEnergy;
    }

    private float[][][] Outputs(OnnxModel model)
    {
        using var session = new ActivationSession(model, outputNames);
        return session.RunMany(samples, outputNames).Select(batch => batch.Values).ToArray();
    }

    // Σ(a − b)², or Σa² without b.
    private static double SumOfSquares(float[] a, float[]? b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - (b?[i] ?? 0);
            sum += d * d;
        }
        return sum;
    }

    private static CalibrationSet Draw(CalibrationSet calibration, int count, int seed)
    {
        if (count == calibration.Count) return calibration;
        var order = Enumerable.Range(0, calibration.Count).ToArray();
        new Random(seed).Shuffle(order);
        var data = new float[count * calibration.SampleSize];
        for (int i = 0; i < count; i++)
            calibration.Data.AsSpan(order[i] * calibration.SampleSize, calibration.SampleSize).CopyTo(data.AsSpan(i * calibration.SampleSize));
        return new CalibrationSet(calibration.InputName, calibration.SampleShape, data);
    }
}

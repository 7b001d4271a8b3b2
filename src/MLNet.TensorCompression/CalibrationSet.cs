namespace MLNet.TensorCompression;

/// <summary>
/// Unlabelled model inputs for data-aware fitting: <see cref="Count"/> samples of one graph input, each of
/// <see cref="SampleShape"/>, stored back to back.
/// </summary>
public sealed class CalibrationSet
{
    /// <summary>Wraps the samples (no copy).</summary>
    /// <exception cref="ArgumentException">
    /// The data length is not a whole number of samples, there are none, or a value is NaN or infinite (the message names
    /// the sample and the value's index in it).
    /// </exception>
    public CalibrationSet(string inputName, IReadOnlyList<long> sampleShape, float[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(data);
        long sampleSize = sampleShape.Aggregate(1L, (a, b) => a * b);
        if (sampleSize <= 0 || data.Length == 0 || data.Length % sampleSize != 0)
            throw new ArgumentException($"Calibration data for input '{inputName}' holds {data.Length} values, not a whole, non-zero number of samples of shape [{string.Join(",", sampleShape)}].", nameof(data));
        // One NaN or infinity would make every re-fit statistic NaN, and the fitting would quietly keep the data-free factors.
        int bad = FirstNonFinite(data);
        if (bad >= 0)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Calibration data for input '{inputName}': sample {bad / sampleSize}, value {bad % sampleSize} is {data[bad]}; calibration values must be finite. Remove or repair that sample."), nameof(data));
        InputName = inputName;
        SampleShape = sampleShape.ToArray();
        Data = data;
        Count = (int)(data.Length / sampleSize);
    }

    /// <summary>The graph input the samples feed.</summary>
    public string InputName { get; }

    /// <summary>Shape of one sample (without the batch axis).</summary>
    public IReadOnlyList<long> SampleShape { get; }

    /// <summary>All samples, back to back.</summary>
    public float[] Data { get; }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Values per sample.</summary>
    public int SampleSize => Data.Length / Count;

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>Samples <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>, copied.</summary>
    internal CalibrationSet Take(int start, int count) =>
        new(InputName, SampleShape, Data.AsSpan(start * SampleSize, count * SampleSize).ToArray());
}

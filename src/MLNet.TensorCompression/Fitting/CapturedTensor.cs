namespace MLNet.TensorCompression.Fitting;

/// <summary>A captured tensor: <see cref="Count"/> samples of <see cref="SampleShape"/>, back to back.</summary>
internal sealed record CapturedTensor(float[] Data, long[] SampleShape, int Count)
{
    /// <summary>Values per sample.</summary>
    public int SampleSize => Data.Length / Count;
}

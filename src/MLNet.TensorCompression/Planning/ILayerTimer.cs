namespace MLNet.TensorCompression.Planning;

/// <summary>Measures how long one-layer models take to run (ONNX Runtime on this machine, or a fake in tests).</summary>
internal interface ILayerTimer
{
    /// <summary>The median milliseconds of one run of each form's model on a batch of <paramref name="batchSize"/>, the forms timed in alternation.</summary>
    IReadOnlyList<double> MedianMilliseconds(IReadOnlyList<TimedForm> forms, int batchSize);
}

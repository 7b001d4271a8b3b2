namespace MLNet.TensorCompression;

/// <summary>
/// One layer's measured ONNX Runtime latency at one batch size: the dense layer's and the chosen form's, each the median
/// of runs of a one-layer model timed in alternation with the other on the machine that compressed the model.
/// </summary>
/// <param name="BatchSize">Samples per run.</param>
/// <param name="DenseMilliseconds">The dense (original) layer's median time per run.</param>
/// <param name="Milliseconds">The chosen form's median time per run (the dense one's when the layer stays dense).</param>
public sealed record BatchLatency(int BatchSize, double DenseMilliseconds, double Milliseconds)
{
    /// <summary>Milliseconds ÷ DenseMilliseconds: below 1 when the chosen form runs faster.</summary>
    public double Ratio => DenseMilliseconds == 0 ? 1 : Milliseconds / DenseMilliseconds;
}

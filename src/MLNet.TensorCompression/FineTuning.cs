namespace MLNet.TensorCompression;

/// <summary>
/// End-to-end training of a compressed model's factors, which <see cref="HybridCompressionEstimator.Fit"/> runs after
/// the decomposition and the layer-wise re-fit when <see cref="HybridCompressionOptions.FineTuning"/> is set: the
/// layer-wise fit makes each layer imitate its original, fine-tuning makes the whole network imitate it, which is what
/// recovers accuracy at high compression ratios. The package MLNet.TensorCompression.TorchSharp provides
/// knowledge distillation (<c>DistillationFineTuning</c>).
/// </summary>
public abstract class FineTuning
{
    /// <summary>Most rows of the data passed to Fit that fine-tuning reads, from the first; null (default) reads them all.</summary>
    public int? MaxRows { get; set; }

    /// <summary>Trains the factors of <see cref="FineTuningRequest.Compressed"/> and returns the trained model.</summary>
    /// <param name="request">The models, the rows and where to report.</param>
    /// <returns>
    /// A new model with the inputs, outputs, nodes and initializer shapes of <see cref="FineTuningRequest.Compressed"/>;
    /// only initializer values may differ. The request's models are not modified.
    /// </returns>
    public abstract FineTuningOutcome Run(FineTuningRequest request);

    /// <summary>A copy with the same settings, so an estimator keeps what it was built with when the caller changes these.</summary>
    internal FineTuning Copy() => (FineTuning)MemberwiseClone();

    /// <summary>Throws an exception naming the first setting that is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public virtual void Validate()
    {
        if (MaxRows is { } rows && rows < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRows), rows, "MaxRows must be at least 1, or null for every row.");
    }
}

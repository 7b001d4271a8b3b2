using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression;

/// <summary>The result of a <see cref="FineTuning"/> run.</summary>
/// <param name="Model">The compressed model with trained factors.</param>
/// <param name="Summary">What the run did, in a sentence or two (steps, time, validation figures); it goes into <see cref="CompressionReport.FineTuning"/>.</param>
public sealed record FineTuningOutcome(OnnxModel Model, string Summary);

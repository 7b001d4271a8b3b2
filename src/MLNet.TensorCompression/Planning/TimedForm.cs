using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Planning;

/// <summary>A one-layer model to time, with what it is.</summary>
/// <param name="Key">
/// Everything its latency depends on but the batch size: the layer's op, shapes and attributes, and the form's layout,
/// format and ranks (not the weight values), so that equal layers share one measurement.
/// </param>
/// <param name="Form">What the model runs as.</param>
/// <param name="Model">The model: one graph input whose first axis is the batch.</param>
internal sealed record TimedForm(string Key, ExecutionForm Form, OnnxModel Model);

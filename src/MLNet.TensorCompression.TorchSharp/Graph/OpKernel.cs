using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// One ONNX node with its attributes already parsed: maps the node's input values (null where an optional input is
/// omitted) to its output values, in the node's order.
/// </summary>
internal delegate Tensor[] OpKernel(Tensor?[] inputs);

using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>A layer's nodes and what replaces them.</summary>
/// <param name="LayerName">The layer's name, for errors.</param>
/// <param name="ReplacedNodes">The layer's nodes in the input model (the same objects as in its graph).</param>
/// <param name="Emission">The nodes, initializers and functions that take their place.</param>
/// <param name="ParameterTensorNames">
/// The layer's weight and bias tensors: once nothing reads them they go, even an initializer listed as a graph input
/// (with that input), since feeding it could no longer change anything.
/// </param>
internal sealed record LayerReplacement(string LayerName, IReadOnlyList<NodeProto> ReplacedNodes, LayerEmission Emission, IReadOnlyList<string> ParameterTensorNames);

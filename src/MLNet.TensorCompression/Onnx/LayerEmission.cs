using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>What replaces one layer in the graph.</summary>
/// <param name="Nodes">The nodes, in topological order: one custom-domain node, or the inlined standard-op nodes.</param>
/// <param name="Initializers">The factors and bias (float32), plus, inline, the int64 shape constants.</param>
/// <param name="Functions">The model-local functions the nodes call (empty inline); the caller deduplicates them by (domain, name, overload).</param>
internal sealed record LayerEmission(IReadOnlyList<NodeProto> Nodes, IReadOnlyList<TensorProto> Initializers, IReadOnlyList<FunctionProto> Functions);

using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Onnx;

/// <summary>A layer and the nodes, initializers and functions that replace it.</summary>
internal sealed record LayerReplacement(CompressibleLayer Layer, LayerEmission Emission);

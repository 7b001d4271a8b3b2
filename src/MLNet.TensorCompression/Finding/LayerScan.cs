using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Finding;

/// <summary>What <see cref="LayerFinder.Find"/> found in a graph: the layers that can be compressed and the ones that cannot.</summary>
public sealed class LayerScan
{
    internal LayerScan(IReadOnlyList<CompressibleLayer> layers, IReadOnlyList<SkippedLayer> skipped, string? shapeProbeFailure)
    {
        Layers = layers;
        Skipped = skipped;
        ShapeProbeFailure = shapeProbeFailure;
    }

    /// <summary>The compressible layers, in graph order.</summary>
    public IReadOnlyList<CompressibleLayer> Layers { get; }

    /// <summary>The nodes that hold a weight (or are Conv, Gemm or MatMul) but cannot be compressed, with the reasons, in graph order.</summary>
    public IReadOnlyList<SkippedLayer> Skipped { get; }

    /// <summary>
    /// Why some layers have no <see cref="CompressibleLayer.ApplicationsPerSample"/>: the model could not be run to
    /// measure its shapes (e.g. an input that is not FLOAT). Null when the shapes were found.
    /// </summary>
    public string? ShapeProbeFailure { get; }
}

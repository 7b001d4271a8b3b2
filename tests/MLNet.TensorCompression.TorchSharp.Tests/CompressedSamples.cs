using System.Collections.Concurrent;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Sample models compressed once per option set and shared by the tests (compressing VGG takes seconds).</summary>
internal static class CompressedSamples
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>A fresh copy of <paramref name="modelFile"/> compressed with <paramref name="options"/>.</summary>
    public static OnnxModel Get(string modelFile, CompressionOptions options)
    {
        var key = $"{modelFile}|{options.MaxRank}|{options.ExecutionMode}|{options.Policy}|{options.Inline}";
        var bytes = Cache.GetOrAdd(key, _ => OnnxModelCompressor.Compress(OnnxModel.Load(TestModels.Path(modelFile)), options).Model.ToBytes());
        return OnnxModel.Load(bytes);
    }
}

using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression;

/// <summary>What a <see cref="FineTuning"/> trains on.</summary>
/// <param name="Original">The uncompressed model (the teacher); not to be modified.</param>
/// <param name="Compressed">The compressed model whose factors are trained (the student); not to be modified.</param>
/// <param name="Samples">Model inputs, one per row.</param>
/// <param name="Labels">The true class of each sample, or null when the data has no label column.</param>
/// <param name="Seed">Seed for every random choice (shuffling, held-back rows), so equal inputs give equal models.</param>
/// <param name="Progress">Receives progress lines, or null.</param>
/// <param name="CancellationToken">Stops the training; the run then throws <see cref="OperationCanceledException"/>.</param>
public sealed record FineTuningRequest(
    OnnxModel Original,
    OnnxModel Compressed,
    CalibrationSet Samples,
    IReadOnlyList<int>? Labels,
    int Seed = 0,
    Action<string>? Progress = null,
    CancellationToken CancellationToken = default);

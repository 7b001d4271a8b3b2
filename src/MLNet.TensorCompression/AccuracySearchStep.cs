namespace MLNet.TensorCompression;

/// <summary>One model tried by the accuracy-aware search: the ratio asked for, what it gave, and how it scored.</summary>
/// <param name="TargetRatio">The whole-model target ratio tried.</param>
/// <param name="CompressionRatio">The ratio achieved.</param>
/// <param name="Parameters">Parameters of that model.</param>
/// <param name="Accuracy">Its accuracy on the evaluation rows.</param>
/// <param name="OriginalAccuracy">The original model's accuracy on the same rows.</param>
/// <param name="WithinDrop">Whether the drop stayed within MaxAccuracyDrop.</param>
public sealed record AccuracySearchStep(double TargetRatio, double CompressionRatio, long Parameters, double Accuracy, double OriginalAccuracy, bool WithinDrop);

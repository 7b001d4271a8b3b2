namespace MLNet.TensorCompression.Cli;

/// <summary>One compressed model of a sweep: its policy and setting, size and accuracy.</summary>
internal sealed record SweepPoint(string Policy, string Setting, double CompressionRatio, long Parameters, double Accuracy);

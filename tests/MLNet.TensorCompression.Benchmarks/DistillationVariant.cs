using System.Globalization;
using MLNet.TensorCompression.TorchSharp;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// Distillation settings from a benchmark argument: comma-separated items applied in order to the defaults —
/// <c>new</c> (the defaults), <c>old</c> (before issue 14: batch 64, teacher per step, compressed layers only, weight 0.9),
/// <c>batch=N</c>, <c>cache=true|false</c>, <c>trainable=all|compressed</c>, <c>weight=X</c>, <c>lr=X</c>, <c>threads=N</c>.
/// </summary>
internal static class DistillationVariant
{
    public static DistillationFineTuning Parse(string variant, double epochs)
    {
        var settings = new DistillationFineTuning { Epochs = epochs };
        foreach (var item in variant.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (key, value) = item.IndexOf('=') is var at and >= 0 ? (item[..at], item[(at + 1)..]) : (item, "");
            switch (key)
            {
                case "new": break;
                case "old":
                    settings.BatchSize = 64;
                    settings.CacheTeacherOutputs = false;
                    settings.TrainableParameters = TrainableParameters.CompressedOnly;
                    settings.DistillationWeight = 0.9;
                    break;
                case "batch": settings.BatchSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "cache": settings.CacheTeacherOutputs = bool.Parse(value); break;
                case "trainable": settings.TrainableParameters = value == "compressed" ? TrainableParameters.CompressedOnly : Enum.Parse<TrainableParameters>(value, ignoreCase: true); break;
                case "weight": settings.DistillationWeight = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "lr": settings.LearningRate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "threads": settings.Threads = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown distillation variant item '{item}' in '{variant}'; use new, old, batch=N, cache=true|false, trainable=all|compressed, weight=X, lr=X or threads=N.");
            }
        }
        settings.Validate();
        return settings;
    }
}

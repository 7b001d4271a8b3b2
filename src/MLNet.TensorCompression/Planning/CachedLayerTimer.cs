using System.Collections.Concurrent;

namespace MLNet.TensorCompression.Planning;

/// <summary>
/// Keeps the measurements of another timer per (<see cref="TimedForm.Key"/>, batch size) for the life of the process, so
/// equal layers, and the same model compressed again (e.g. at another ratio), are timed once.
/// </summary>
internal sealed class CachedLayerTimer(ILayerTimer timer) : ILayerTimer
{
    /// <summary>ONNX Runtime on this machine, shared by every compression in the process.</summary>
    public static CachedLayerTimer OnnxRuntime { get; } = new(new OnnxRuntimeLayerTimer());

    private readonly ConcurrentDictionary<(string Key, int BatchSize), double> milliseconds = new();

    /// <inheritdoc />
    public IReadOnlyList<double> MedianMilliseconds(IReadOnlyList<TimedForm> forms, int batchSize)
    {
        // Forms compared with each other are timed together, in alternation, when any of them is new: ratios within one
        // run are what hold up on a busy machine.
        if (forms.Any(form => !milliseconds.ContainsKey((form.Key, batchSize))))
        {
            var measured = timer.MedianMilliseconds(forms, batchSize);
            for (int i = 0; i < forms.Count; i++) milliseconds[(forms[i].Key, batchSize)] = measured[i];
        }
        return forms.Select(form => milliseconds[(form.Key, batchSize)]).ToArray();
    }
}

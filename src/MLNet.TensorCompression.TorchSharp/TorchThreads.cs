using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// Sets libtorch's intra-op thread count (process-wide) for the length of a run, and puts the previous count back
/// when disposed, so fine-tuning does not change the thread count of an application's own TorchSharp work.
/// </summary>
internal sealed class TorchThreads : IDisposable
{
    private readonly int previous;

    private TorchThreads(int threads)
    {
        previous = get_num_threads();
        if (threads != previous) set_num_threads(threads);
    }

    /// <summary>Uses <paramref name="threads"/> intra-op threads until the result is disposed.</summary>
    public static TorchThreads Use(int threads) => new(threads);

    public void Dispose()
    {
        if (get_num_threads() != previous) set_num_threads(previous);
    }
}

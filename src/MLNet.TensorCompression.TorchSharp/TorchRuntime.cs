using static TorchSharp.torch;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// Checks once per process that TorchSharp's native libraries load, and turns the failure TorchSharp reports
/// (a <see cref="TypeInitializationException"/> whose message blames a package that is often present) into one that
/// names what to install and how to find the real cause.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when TorchSharp's native libraries load in this process.</summary>
    public static bool IsAvailable => LoadFailure.Value is null;

    /// <summary>Throws <see cref="TorchRuntimeUnavailableException"/> unless TorchSharp's native libraries load.</summary>
    public static void EnsureAvailable()
    {
        if (LoadFailure.Value is { } failure) throw failure;
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = ones(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return new TorchRuntimeUnavailableException(Explain(e), e);
        }
    }

    private static string Explain(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null) innermost = innermost.InnerException;
        return "TorchSharp could not load its native libraries, so distillation fine-tuning cannot run. "
            + "The application must reference a libtorch runtime package for its platform next to TorchSharp 0.107.0 "
            + "(e.g. libtorch-cpu-linux-x64, libtorch-cpu-win-x64 or libtorch-cpu-osx-arm64, version 2.10.0). "
            + "On Linux, TorchSharp 0.107.0's shim also needs libstdc++ with GLIBCXX_3.4.32 (GCC 13 or later: Debian 13, Ubuntu 24.04); "
            + "TorchSharp reports an older libstdc++ as a missing package too. To see the real cause run "
            + "'ldd <app>/runtimes/linux-x64/native/libLibTorchSharp.so'. "
            + $"TorchSharp said: {innermost.Message}";
    }
}

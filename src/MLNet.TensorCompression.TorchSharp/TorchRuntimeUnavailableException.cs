namespace MLNet.TensorCompression.TorchSharp;

/// <summary>TorchSharp's native libraries are missing or cannot be loaded; the message says which package or system requirement to check.</summary>
public sealed class TorchRuntimeUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TorchRuntimeUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

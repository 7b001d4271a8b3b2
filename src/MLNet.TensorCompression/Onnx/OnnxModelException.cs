namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Thrown when an ONNX model cannot be read, interpreted or written: the bytes are not a valid
/// model, a tensor's data is missing or inconsistent, or the model is too large to serialize.
/// The message names the file, tensor or node concerned.
/// </summary>
public sealed class OnnxModelException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    /// <param name="message">What is wrong, naming the file, tensor or node.</param>
    public OnnxModelException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    /// <param name="message">What is wrong, naming the file, tensor or node.</param>
    /// <param name="innerException">The lower-level error, e.g. from the protobuf parser.</param>
    public OnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Checks, before anything is written, that a model fits in one protobuf message.
/// Google.Protobuf computes sizes in 32-bit arithmetic: past 2 GiB, CalculateSize() wraps around
/// without an error and WriteTo(Stream) then writes a corrupt file, so the check cannot simply
/// trust CalculateSize().
/// </summary>
internal static class ProtobufSizeLimit
{
    /// <summary>The largest message protobuf can encode and parse: 2 GiB - 1 bytes.</summary>
    public const long MaxBytes = int.MaxValue;

    /// <summary>Throws an <see cref="OnnxModelException"/> if <paramref name="model"/> serializes to more than <paramref name="maxBytes"/>.</summary>
    /// <param name="model">The model about to be serialized.</param>
    /// <param name="maxBytes">The limit; <see cref="MaxBytes"/> except in tests.</param>
    /// <param name="remedy">What the caller can do instead, appended to the message.</param>
    public static void EnsureFits(ModelProto model, long maxBytes, string remedy)
    {
        // Tensor payloads make up nearly all of a model, so they are summed in 64 bits first.
        // Varint-coded integer elements are counted as one byte each, a lower bound.
        long payloadBytes = 0;
        foreach (var tensor in OnnxTensorWalker.AllTensors(model))
        {
            payloadBytes += tensor.RawData.Length
                + (long)tensor.FloatData.Count * sizeof(float)
                + (long)tensor.DoubleData.Count * sizeof(double)
                + tensor.Int32Data.Count + tensor.Int64Data.Count + tensor.Uint64Data.Count
                + tensor.StringData.Sum(s => (long)s.Length);
        }

        if (payloadBytes > maxBytes)
        {
            throw TooLarge($"its tensors alone take at least {payloadBytes} bytes", maxBytes, remedy);
        }

        // With the payloads under the limit the whole message stays far below 4 GiB, so a 32-bit
        // size that wrapped around shows up as negative.
        var totalBytes = model.CalculateSize();
        if (totalBytes < 0)
        {
            throw TooLarge($"it takes more than {int.MaxValue} bytes", maxBytes, remedy);
        }

        if (totalBytes > maxBytes)
        {
            throw TooLarge($"it takes {totalBytes} bytes", maxBytes, remedy);
        }
    }

    private static OnnxModelException TooLarge(string size, long maxBytes, string remedy) =>
        new($"The model is too large for a single protobuf message: {size}, and the limit is {maxBytes} bytes. {remedy}");
}

using Google.Protobuf;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Parses ONNX model bytes, checks that they form a model, and reads external tensor data in,
/// turning parser errors into <see cref="OnnxModelException"/>s that name the source.
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>Reads a model from <paramref name="stream"/>.</summary>
    /// <param name="stream">The serialized model.</param>
    /// <param name="source">Where the bytes come from, e.g. "file '/m/model.onnx'", for messages.</param>
    /// <param name="externalDataDirectory">The directory external data locations are relative to, or null.</param>
    public static ModelProto Read(Stream stream, string source, string? externalDataDirectory) =>
        Read(() => ModelProto.Parser.ParseFrom(stream), source, externalDataDirectory);

    /// <summary>Reads a model from <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The serialized model.</param>
    /// <param name="source">Where the bytes come from, for messages.</param>
    /// <param name="externalDataDirectory">The directory external data locations are relative to, or null.</param>
    public static ModelProto Read(byte[] bytes, string source, string? externalDataDirectory) =>
        Read(() => ModelProto.Parser.ParseFrom(bytes), source, externalDataDirectory);

    private static ModelProto Read(Func<ModelProto> parse, string source, string? externalDataDirectory)
    {
        ModelProto model;
        try
        {
            model = parse();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxModelException($"{Capitalized(source)} is not a valid ONNX model: {e.Message}", e);
        }

        if (model.Graph is null)
        {
            throw new OnnxModelException($"{Capitalized(source)} is not a valid ONNX model: it has no graph.");
        }

        ExternalDataLoader.LoadInto(model, externalDataDirectory, source);
        GraphValidator.Validate(model, Capitalized(source));
        return model;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}

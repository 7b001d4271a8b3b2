using System.Diagnostics.CodeAnalysis;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// An ONNX model in memory: the protobuf <see cref="ModelProto"/> with loading, typed access to
/// float initializers, and saving. A loaded model is self-contained: tensor data that the file
/// kept in external data files has been read into memory.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Wraps an existing model message; the message is used as is, not copied.</summary>
    /// <param name="proto">The model; it must have a graph.</param>
    /// <exception cref="ArgumentException">The model has no graph.</exception>
    public OnnxModel(ModelProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        if (proto.Graph is null)
        {
            throw new ArgumentException("The model has no graph.", nameof(proto));
        }

        Proto = proto;
    }

    /// <summary>The underlying protobuf message. Changes to it change this model.</summary>
    public ModelProto Proto { get; }

    /// <summary>The main graph, <c>Proto.Graph</c>.</summary>
    public GraphProto Graph => Proto.Graph;

    /// <summary>Loads a model file, reading any external data relative to the file's directory.</summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <returns>The model, with all tensor data in memory.</returns>
    /// <exception cref="OnnxModelException">
    /// The file is not a valid ONNX model, or an external data file is missing, too short, or outside the model's directory.
    /// </exception>
    /// <exception cref="FileNotFoundException">The model file does not exist, or the path is a directory.</exception>
    public static OnnxModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new FileNotFoundException($"'{fullPath}' is a directory, not an ONNX model file.", fullPath);
        using var stream = File.OpenRead(fullPath);
        return new OnnxModel(OnnxModelReader.Read(stream, $"file '{fullPath}'", Path.GetDirectoryName(fullPath)));
    }

    /// <summary>Loads a model from a stream, which is read to its end.</summary>
    /// <param name="stream">The serialized model.</param>
    /// <param name="externalDataDirectory">
    /// The directory that external data locations are relative to (normally the model file's
    /// directory), or null if the model has no external data.
    /// </param>
    /// <returns>The model, with all tensor data in memory.</returns>
    /// <exception cref="OnnxModelException">
    /// The bytes are not a valid ONNX model, or external data cannot be read (including when the
    /// model has external data and no directory was given).
    /// </exception>
    public static OnnxModel Load(Stream stream, string? externalDataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var source = stream is FileStream file ? $"file '{file.Name}'" : "the stream";
        return new OnnxModel(OnnxModelReader.Read(stream, source, externalDataDirectory));
    }

    /// <summary>Loads a model from its serialized bytes.</summary>
    /// <param name="bytes">The serialized model.</param>
    /// <param name="externalDataDirectory">
    /// The directory that external data locations are relative to (normally the model file's
    /// directory), or null if the model has no external data.
    /// </param>
    /// <returns>The model, with all tensor data in memory.</returns>
    /// <exception cref="OnnxModelException">
    /// The bytes are not a valid ONNX model, or external data cannot be read (including when the
    /// model has external data and no directory was given).
    /// </exception>
    public static OnnxModel Load(byte[] bytes, string? externalDataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new OnnxModel(OnnxModelReader.Read(bytes, $"the byte array ({bytes.Length} bytes)", externalDataDirectory));
    }

    /// <summary>
    /// The model's parameters: the element count of every FLOAT or DOUBLE tensor the main graph holds, whether an
    /// initializer or the value of a <c>Constant</c> node (exports such as paddle2onnx keep their weights there). A weight
    /// reached through <c>Identity</c> nodes is counted once, at its source.
    /// </summary>
    /// <exception cref="OnnxModelException">A tensor's shape has a negative size, or the count does not fit in a long.</exception>
    public long ParameterCount
    {
        get
        {
            long count = 0;
            var tensors = Graph.Initializer.Select(t => (Label: $"tensor '{t.Name}'", Tensor: t)).Concat(ConstantNodeValues());
            foreach (var (label, tensor) in tensors.Where(t => t.Tensor.DataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double))
            {
                var elements = OnnxShape.ElementCount(tensor);
                count = elements > long.MaxValue - count
                    ? throw new OnnxModelException($"Graph '{Graph.Name}' declares more than {long.MaxValue} parameters ({label} has shape {OnnxShape.Format<long>(tensor.Dims.ToArray())}).")
                    : count + elements;
            }

            return count;
        }
    }

    /// <summary>The tensors held by the main graph's default-domain <c>Constant</c> nodes (their <c>value</c> attribute).</summary>
    private IEnumerable<(string Label, TensorProto Tensor)> ConstantNodeValues() =>
        Graph.Node.Where(n => n.OpType == "Constant" && n.Domain is "" or "ai.onnx")
            .SelectMany(n => n.Attribute.Where(a => a.Name == "value" && a.T is not null).Select(a => ($"the value of Constant node '{n.Name}'", a.T)));

    /// <summary>A deep copy, so that rewriting the copy leaves this model unchanged.</summary>
    public OnnxModel Clone() => new(Proto.Clone());

    /// <summary>Reads the main graph's initializer <paramref name="name"/> as float data.</summary>
    /// <param name="name">The initializer's name.</param>
    /// <param name="tensor">The initializer's shape and a copy of its elements, or null if there is no such initializer.</param>
    /// <returns>Whether the graph has an initializer with that name.</returns>
    /// <exception cref="OnnxModelException">
    /// The initializer exists but is not a FLOAT or DOUBLE tensor, or its data does not match its shape.
    /// </exception>
    public bool TryGetInitializer(string name, [NotNullWhen(true)] out FloatTensorData? tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var initializer in Graph.Initializer)
        {
            if (initializer.Name == name)
            {
                tensor = FloatTensorProto.Read(initializer);
                return true;
            }
        }

        tensor = null;
        return false;
    }

    /// <summary>Reads the main graph's initializer <paramref name="name"/> as float data.</summary>
    /// <param name="name">The initializer's name.</param>
    /// <returns>The initializer's shape and a copy of its elements.</returns>
    /// <exception cref="KeyNotFoundException">The graph has no initializer with that name.</exception>
    /// <exception cref="OnnxModelException">
    /// The initializer is not a FLOAT or DOUBLE tensor, or its data does not match its shape.
    /// </exception>
    public FloatTensorData GetInitializer(string name)
    {
        if (TryGetInitializer(name, out var tensor))
        {
            return tensor;
        }

        throw new KeyNotFoundException($"Graph '{Graph.Name}' has no initializer named '{name}'.");
    }

    /// <summary>
    /// True when the model fits in one protobuf file (under 2 GiB); otherwise save it with
    /// <see cref="OnnxSaveOptions.ExternalData"/>.
    /// </summary>
    public bool FitsInOneFile => FitsWithin(ProtobufSizeLimit.MaxBytes);

    /// <summary>The size test behind <see cref="FitsInOneFile"/>, with a limit tests can lower.</summary>
    internal bool FitsWithin(long maxBytes)
    {
        try
        {
            ProtobufSizeLimit.EnsureFits(Proto, maxBytes, remedy: "");
            return true;
        }
        catch (OnnxModelException)
        {
            return false;
        }
    }

    /// <summary>
    /// Saves the model to <paramref name="path"/> through a temporary file in the same directory
    /// that is moved into place when complete, replacing an existing file. This model is not changed.
    /// </summary>
    /// <param name="path">Path of the .onnx file to write.</param>
    /// <param name="options">Layout options, e.g. external data for models over 2 GiB; null for one self-contained file.</param>
    /// <exception cref="OnnxModelException">
    /// The model is over the 2 GiB protobuf limit (checked before anything is written), or a
    /// tensor refers to external data that was never loaded.
    /// </exception>
    /// <exception cref="IOException">The path is an existing directory, FIFO, device or socket, which a file must not replace.</exception>
    public void Save(string path, OnnxSaveOptions? options = null) =>
        OnnxModelWriter.Save(Proto, path, options, ProtobufSizeLimit.MaxBytes);

    /// <summary>Serializes the model, with all tensor data embedded.</summary>
    /// <returns>The model's bytes, the content of a self-contained .onnx file.</returns>
    /// <exception cref="OnnxModelException">The model is over the 2 GiB protobuf limit; save it with external data instead.</exception>
    public byte[] ToBytes() => OnnxModelWriter.ToBytes(Proto, ProtobufSizeLimit.MaxBytes);

    /// <summary>Writes the model, with all tensor data embedded, to <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream to write to; it is not closed.</param>
    /// <exception cref="OnnxModelException">
    /// The model is over the 2 GiB protobuf limit (checked before anything is written); save it with external data instead.
    /// </exception>
    public void WriteTo(Stream stream) => OnnxModelWriter.WriteTo(Proto, stream, ProtobufSizeLimit.MaxBytes);
}

using Google.Protobuf;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataLocation = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataLocation;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Serializes a model to bytes, a stream or a file. Files are written to a temporary file in the
/// target directory and then moved into place, so the target is either the old file or the
/// complete new one, never a partial write.
/// </summary>
internal static class OnnxModelWriter
{
    private const string UseExternalDataRemedy =
        "Save it to a file with OnnxSaveOptions { ExternalData = true } so large initializers go to a separate data file.";

    /// <summary>Saves <paramref name="model"/> to <paramref name="path"/>, with its large initializers in a side file if asked.</summary>
    public static void Save(ModelProto model, string path, OnnxSaveOptions? options, long maxProtobufBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureSelfContained(model);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' does not name a file.", nameof(path));
        var fileName = Path.GetFileName(fullPath);
        FileKind.RequireWritableTarget(fullPath);

        var toWrite = model;
        ExternalDataPlan? plan = null;
        string? dataPath = null;
        if (options is { ExternalData: true })
        {
            var dataFileName = options.ExternalDataFileName ?? fileName + ".data";
            CheckOptions(options, dataFileName, fileName);
            plan = ExternalDataPlan.Create(model, dataFileName, options.ExternalDataThreshold);
            toWrite = plan.Model;
            dataPath = Path.Combine(directory, dataFileName);
            ProtobufSizeLimit.EnsureFits(
                toWrite,
                maxProtobufBytes,
                $"Lower OnnxSaveOptions.ExternalDataThreshold (now {options.ExternalDataThreshold} bytes) so more initializers go to the data file. Target: '{fullPath}'.");
        }
        else
        {
            ProtobufSizeLimit.EnsureFits(toWrite, maxProtobufBytes, $"{UseExternalDataRemedy} Target: '{fullPath}'.");
        }

        var modelTemp = TemporaryPathFor(fullPath);
        var dataTemp = plan is { HasData: true } ? TemporaryPathFor(dataPath!) : null;
        try
        {
            if (dataTemp is not null)
            {
                WriteFile(dataTemp, stream => plan!.WriteData(stream));
            }

            WriteFile(modelTemp, stream => toWrite.WriteTo(stream));

            // The data file goes first, so a new model file never points at an old data file.
            if (dataTemp is not null)
            {
                File.Move(dataTemp, dataPath!, overwrite: true);
            }

            File.Move(modelTemp, fullPath, overwrite: true);
        }
        finally
        {
            // After a successful move these no longer exist; after a failure they are partial files.
            File.Delete(modelTemp);
            if (dataTemp is not null)
            {
                File.Delete(dataTemp);
            }
        }
    }

    /// <summary>Serializes <paramref name="model"/> to a new byte array.</summary>
    public static byte[] ToBytes(ModelProto model, long maxProtobufBytes)
    {
        EnsureSelfContained(model);
        ProtobufSizeLimit.EnsureFits(model, maxProtobufBytes, UseExternalDataRemedy);
        return model.ToByteArray();
    }

    /// <summary>Serializes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static void WriteTo(ModelProto model, Stream stream, long maxProtobufBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EnsureSelfContained(model);
        ProtobufSizeLimit.EnsureFits(model, maxProtobufBytes, UseExternalDataRemedy);
        model.WriteTo(stream);
    }

    /// <summary>
    /// A model written by this library carries every tensor's data itself (loading reads external
    /// data in), so a leftover external reference would point at a file that may not be there
    /// after saving, or that the save itself is about to overwrite.
    /// </summary>
    private static void EnsureSelfContained(ModelProto model)
    {
        if (model.Graph is null)
        {
            throw new OnnxModelException("The model has no graph, so it cannot be saved as an ONNX model.");
        }

        foreach (var tensor in OnnxTensorWalker.AllTensors(model))
        {
            if (tensor.DataLocation == DataLocation.External)
            {
                throw new OnnxModelException(
                    $"Tensor '{tensor.Name}' still refers to external data that was never read into memory; "
                    + "load the model with OnnxModel.Load (with its external data directory) before saving it.");
            }
        }
    }

    private static void CheckOptions(OnnxSaveOptions options, string dataFileName, string modelFileName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.ExternalDataThreshold, nameof(OnnxSaveOptions.ExternalDataThreshold));
        if (dataFileName.Length == 0 || dataFileName is "." or ".."
            || dataFileName.IndexOfAny(['/', '\\']) >= 0 || dataFileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException(
                $"OnnxSaveOptions.ExternalDataFileName '{dataFileName}' must be a plain file name, without a directory.",
                nameof(options));
        }

        if (string.Equals(dataFileName, modelFileName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"OnnxSaveOptions.ExternalDataFileName '{dataFileName}' must differ from the model's own file name.",
                nameof(options));
        }
    }

    private static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");

    private static void WriteFile(string path, Action<Stream> write)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        write(stream);
        stream.Flush(flushToDisk: true);
    }
}

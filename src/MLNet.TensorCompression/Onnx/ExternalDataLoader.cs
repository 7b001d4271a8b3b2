using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataLocation = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataLocation;

namespace MLNet.TensorCompression.Onnx;

/// <summary>
/// Reads the external data of every tensor in a model into raw_data, so the model in memory no
/// longer depends on side files.
/// </summary>
internal static class ExternalDataLoader
{
    /// <summary>Replaces each external tensor's file reference by the bytes it points to.</summary>
    /// <param name="model">The model; its external tensors are changed in place.</param>
    /// <param name="directory">The directory external locations are relative to, or null if unknown.</param>
    /// <param name="source">The model's source, e.g. "file '/m/model.onnx'", for messages.</param>
    public static void LoadInto(ModelProto model, string? directory, string source)
    {
        var openFiles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        try
        {
            foreach (var tensor in OnnxTensorWalker.AllTensors(model))
            {
                if (tensor.DataLocation != DataLocation.External)
                {
                    continue;
                }

                var reference = ExternalDataReference.Parse(tensor, source);
                if (directory is null)
                {
                    throw new OnnxModelException(
                        $"Tensor '{tensor.Name}' in {source} keeps its data in external file '{reference.Location}', but no directory to find it in was given; "
                        + "load the model from its path, or pass externalDataDirectory.");
                }

                var path = reference.ResolveIn(directory, tensor, source);
                if (!openFiles.TryGetValue(path, out var file))
                {
                    file = Open(path, reference, tensor, source);
                    openFiles.Add(path, file);
                }

                tensor.RawData = UnsafeByteOperations.UnsafeWrap(ReadRange(file, reference, tensor, source));
                tensor.ExternalData.Clear();
                tensor.ClearDataLocation();
            }
        }
        finally
        {
            foreach (var file in openFiles.Values)
            {
                file.Dispose();
            }
        }
    }

    private static SafeFileHandle Open(string path, ExternalDataReference reference, TensorProto tensor, string source)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} keeps its data in external file '{reference.Location}', which was not found at '{path}'.", e);
        }
    }

    private static byte[] ReadRange(SafeFileHandle file, ExternalDataReference reference, TensorProto tensor, string source)
    {
        var fileLength = RandomAccess.GetLength(file);
        if (reference.Offset > fileLength)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} starts at byte {reference.Offset} of external file '{reference.Location}', "
                + $"which holds only {fileLength} bytes.");
        }

        var length = reference.Length ?? fileLength - reference.Offset;
        if (length > fileLength - reference.Offset)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} reads bytes {reference.Offset}..{reference.Offset + length} of external file '{reference.Location}', "
                + $"which holds only {fileLength} bytes.");
        }

        if (length > Array.MaxLength)
        {
            throw new OnnxModelException(
                $"Tensor '{tensor.Name}' in {source} has {length} bytes of external data, more than one tensor can hold in memory.");
        }

        var bytes = new byte[length];
        var done = 0;
        while (done < bytes.Length)
        {
            var read = RandomAccess.Read(file, bytes.AsSpan(done), reference.Offset + done);
            if (read == 0)
            {
                throw new OnnxModelException($"External file '{reference.Location}' of {source} ended while tensor '{tensor.Name}' was being read.");
            }

            done += read;
        }

        return bytes;
    }
}

namespace MLNet.TensorCompression.Onnx;

/// <summary>How <see cref="OnnxModel.Save(string, OnnxSaveOptions?)"/> lays out the model on disk.</summary>
public sealed class OnnxSaveOptions
{
    /// <summary>
    /// Whether large initializers of the main graph are written to a separate data file next to
    /// the model (ONNX external data) instead of inside it. Needed for models over the 2 GiB
    /// protobuf limit; ONNX Runtime reads such models from their path. Default: false, since only
    /// a single self-contained file survives ML.NET's model save and load.
    /// </summary>
    public bool ExternalData { get; set; }

    /// <summary>
    /// With <see cref="ExternalData"/>, initializers whose element data take at least this many
    /// bytes go to the data file; smaller ones stay embedded. Default: 1024.
    /// </summary>
    public long ExternalDataThreshold { get; set; } = 1024;

    /// <summary>
    /// With <see cref="ExternalData"/>, the data file's name, in the model's directory.
    /// Default (null): the model's file name followed by ".data".
    /// </summary>
    public string? ExternalDataFileName { get; set; }
}

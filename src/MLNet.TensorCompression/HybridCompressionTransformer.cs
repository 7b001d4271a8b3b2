using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression;

/// <summary>
/// Scores with a compressed model: everything ML.NET asks of a transformer (transforming, schemas, row mapping, saving)
/// is done by ML.NET's own ONNX transformer over the compressed model, which this wraps together with what the
/// compression did. Saved with <c>mlContext.Model.Save</c>, it is written as that ONNX transformer, so the saved model
/// loads and scores in any ML.NET application, without this library; what loads is an <see cref="OnnxTransformer"/>.
/// Thread-safe for scoring, like the ONNX transformer. Disposing it releases the ONNX Runtime session; note that ML.NET
/// prediction engines dispose their transformer unless created with <see cref="PredictionEngineOptions.OwnsTransformer"/> false.
/// </summary>
public sealed class HybridCompressionTransformer : ITransformer, IDisposable
{
    private readonly OnnxTransformer scorer;
    private readonly OnnxModel compressedModel;
    private bool disposed;

    /// <summary>Wraps ML.NET's scorer of <paramref name="result"/>'s model.</summary>
    internal HybridCompressionTransformer(OnnxTransformer scorer, CompressionResult result)
    {
        this.scorer = scorer;
        compressedModel = result.Model;
        Report = result.Report;
        Factorizations = result.Factorizations;
    }

    /// <summary>What was compressed and how: per layer format, ranks, sizes, errors; and what calibration did.</summary>
    public CompressionReport Report { get; }

    /// <summary>
    /// The factorised weight of every compressed layer, in graph order, as the decomposition and layer-wise re-fit left
    /// it; with <see cref="HybridCompressionOptions.FineTuning"/> the compressed model holds the fine-tuned factors instead.
    /// </summary>
    public IReadOnlyList<FactorizedWeight> Factorizations { get; }

    /// <summary>Whether ML.NET can map single rows (prediction engines); true for ONNX scoring, as ML.NET's ONNX transformer reports.</summary>
    public bool IsRowToRowMapper => ((ITransformer)scorer).IsRowToRowMapper;

    /// <summary>A copy of the compressed model this transformer scores with; changing the copy changes nothing here.</summary>
    public OnnxModel GetCompressedModel() => compressedModel.Clone();

    /// <summary>
    /// Writes the compressed model as a self-contained .onnx file that any ONNX Runtime can score; through a temporary
    /// file moved into place, so <paramref name="path"/> never holds a partial model.
    /// </summary>
    /// <param name="path">The file to write; an existing file is replaced.</param>
    public void SaveCompressedModel(string path) => compressedModel.Save(path);

    /// <summary>The schema of <see cref="Transform"/>'s output for data of <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A model input column is missing or mistyped (ML.NET's schema error).</exception>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return scorer.GetOutputSchema(inputSchema);
    }

    /// <summary>The row-to-row mapper ML.NET uses for prediction engines.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ThrowIfDisposed();
        return ((ITransformer)scorer).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Adds the model's output columns to <paramref name="input"/>, lazily, as ML.NET transforms do.</summary>
    /// <exception cref="ObjectDisposedException">The transformer was disposed.</exception>
    public IDataView Transform(IDataView input)
    {
        ThrowIfDisposed();
        return scorer.Transform(input);
    }

    /// <summary>Saves as ML.NET's ONNX transformer over the compressed model (what <c>mlContext.Model.Save</c> calls).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)scorer).Save(ctx);

    /// <summary>Releases the ONNX Runtime session; scoring afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        disposed = true;
        scorer.Dispose();
    }

    // Without this check a disposed session fails inside ONNX Runtime with a NullReferenceException, or worse.
    private void ThrowIfDisposed()
    {
        if (disposed)
            throw new ObjectDisposedException(nameof(HybridCompressionTransformer),
                "The transformer was disposed, which releases its ONNX Runtime session. A prediction engine disposes its transformer unless created with PredictionEngineOptions.OwnsTransformer = false.");
    }
}

using Microsoft.ML;
using MLNet.TensorCompression.DataViews;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression;

/// <summary>
/// <c>mlContext.Transforms.CompressHybrid(...)</c>: compress an ONNX CNN when the pipeline is fitted and score with the
/// compressed model. The overloads mirror <c>ApplyOnnxModel</c>: columns are named after the model's tensors, and
/// without names every model input is read and every output is produced.
/// </summary>
public static class TensorCompressionCatalog
{
    /// <summary>Compresses the model in <paramref name="modelFile"/>, reading and producing all of its inputs and outputs.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="modelFile">The .onnx file (external data is read relative to it); it is never modified.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="ArgumentException">Options contradict each other.</exception>
    /// <exception cref="OnnxModelException">The file is not a valid ONNX model.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, string modelFile, HybridCompressionOptions? options = null) =>
        FromFile(catalog, modelFile, null, null, options);

    /// <summary>Compresses the model in <paramref name="modelFile"/>, reading one input column and producing one output column.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The model output to produce, as a column of that name.</param>
    /// <param name="inputColumnName">The model's input, read from the column of that name.</param>
    /// <param name="modelFile">The .onnx file (external data is read relative to it); it is never modified.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentException">A name is not one of the model's tensors, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="OnnxModelException">The file is not a valid ONNX model.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string modelFile, HybridCompressionOptions? options = null) =>
        FromFile(catalog, modelFile, [RequireName(outputColumnName, nameof(outputColumnName))], [RequireName(inputColumnName, nameof(inputColumnName))], options);

    /// <summary>Compresses the model in <paramref name="modelFile"/>, reading and producing the named columns.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnNames">The model outputs to produce, as columns of those names.</param>
    /// <param name="inputColumnNames">The model's inputs (all of them), read from the columns of those names.</param>
    /// <param name="modelFile">The .onnx file (external data is read relative to it); it is never modified.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentException">A name is not one of the model's tensors, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="OnnxModelException">The file is not a valid ONNX model.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, string[] outputColumnNames, string[] inputColumnNames, string modelFile, HybridCompressionOptions? options = null) =>
        FromFile(catalog, modelFile, RequireNames(outputColumnNames, nameof(outputColumnNames)), RequireNames(inputColumnNames, nameof(inputColumnNames)), options);

    /// <summary>Compresses the model read from <paramref name="modelStream"/>, reading and producing all of its inputs and outputs.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="modelStream">The serialized model with its data embedded; read to its end now, not kept.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="ArgumentException">Options contradict each other.</exception>
    /// <exception cref="OnnxModelException">The bytes are not a valid ONNX model, or it refers to external data.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, Stream modelStream, HybridCompressionOptions? options = null) =>
        FromStream(catalog, modelStream, null, null, options);

    /// <summary>Compresses the model read from <paramref name="modelStream"/>, reading one input column and producing one output column.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">The model output to produce, as a column of that name.</param>
    /// <param name="inputColumnName">The model's input, read from the column of that name.</param>
    /// <param name="modelStream">The serialized model with its data embedded; read to its end now, not kept.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentException">A name is not one of the model's tensors, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="OnnxModelException">The bytes are not a valid ONNX model, or it refers to external data.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, Stream modelStream, HybridCompressionOptions? options = null) =>
        FromStream(catalog, modelStream, [RequireName(outputColumnName, nameof(outputColumnName))], [RequireName(inputColumnName, nameof(inputColumnName))], options);

    /// <summary>Compresses the model read from <paramref name="modelStream"/>, reading and producing the named columns.</summary>
    /// <param name="catalog">The transforms catalog, <c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnNames">The model outputs to produce, as columns of those names.</param>
    /// <param name="inputColumnNames">The model's inputs (all of them), read from the columns of those names.</param>
    /// <param name="modelStream">The serialized model with its data embedded; read to its end now, not kept.</param>
    /// <param name="options">What to compress and how far, and how data is used; null for the defaults.</param>
    /// <exception cref="ArgumentException">A name is not one of the model's tensors, or options contradict each other.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the exception's ParamName is the option.</exception>
    /// <exception cref="OnnxModelException">The bytes are not a valid ONNX model, or it refers to external data.</exception>
    public static HybridCompressionEstimator CompressHybrid(this TransformsCatalog catalog, string[] outputColumnNames, string[] inputColumnNames, Stream modelStream, HybridCompressionOptions? options = null) =>
        FromStream(catalog, modelStream, RequireNames(outputColumnNames, nameof(outputColumnNames)), RequireNames(inputColumnNames, nameof(inputColumnNames)), options);

    private static HybridCompressionEstimator FromFile(TransformsCatalog catalog, string modelFile, string[]? outputColumnNames, string[]? inputColumnNames, HybridCompressionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelFile);
        return Create(catalog, OnnxModel.Load(modelFile), outputColumnNames, inputColumnNames, options);
    }

    private static HybridCompressionEstimator FromStream(TransformsCatalog catalog, Stream modelStream, string[]? outputColumnNames, string[]? inputColumnNames, HybridCompressionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelStream);
        return Create(catalog, OnnxModel.Load(modelStream), outputColumnNames, inputColumnNames, options);
    }

    private static HybridCompressionEstimator Create(TransformsCatalog catalog, OnnxModel model, string[]? outputColumnNames, string[]? inputColumnNames, HybridCompressionOptions? options) =>
        new(catalog, model, outputColumnNames, inputColumnNames, options, DataViewCalibration.Fit);

    private static string RequireName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        return name;
    }

    private static string[] RequireNames(string[] names, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(names, parameterName);
        foreach (var name in names)
            ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        return names;
    }
}

using Microsoft.ML;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.DataViews;

/// <summary>
/// Data-aware fitting, the seam where calibration plugs into <see cref="HybridCompressionEstimator.Fit"/>: compresses
/// <paramref name="model"/> using rows of <paramref name="data"/>. The estimator calls it when
/// <see cref="HybridCompressionOptions.CalibrationRows"/> &gt; 0; the library's is <see cref="DataViewCalibration.Fit"/>,
/// and tests substitute their own.
/// </summary>
/// <param name="model">The original model. It must not be modified.</param>
/// <param name="data">
/// The data passed to Fit. Already checked: it has every model input under the input's name, of the right item type
/// and size, the label column when <see cref="HybridCompressionOptions.LabelColumnName"/> is set, and at least one row.
/// </param>
/// <param name="options">All options, validated; a private copy. Pass it to the compressor as it is (it is a
/// <see cref="CompressionOptions"/>); use <see cref="HybridCompressionOptions.CalibrationRows"/>,
/// <see cref="HybridCompressionOptions.MaxAccuracyDrop"/>, <see cref="HybridCompressionOptions.LabelColumnName"/> and
/// <see cref="HybridCompressionOptions.Seed"/>.</param>
/// <param name="progress">Where to report steps, or null.</param>
/// <returns>
/// The compressed model; inputs and outputs must be those of <paramref name="model"/>. Its report's
/// <see cref="CompressionReport.Calibration"/> should say what calibration did (rows used, accuracy before and after).
/// </returns>
internal delegate CompressionResult DataAwareCompression(
    OnnxModel model, IDataView data, HybridCompressionOptions options, Action<string>? progress);

using MLNet.TensorCompression.DataViews;

namespace MLNet.TensorCompression;

/// <summary>
/// Options of <see cref="TensorCompressionCatalog.CompressHybrid(Microsoft.ML.TransformsCatalog, string, HybridCompressionOptions?)"/>:
/// every <see cref="CompressionOptions"/> setting (inherited: same names, same defaults, same validation) plus how
/// <see cref="HybridCompressionEstimator.Fit"/> uses its data.
/// </summary>
public sealed class HybridCompressionOptions : CompressionOptions
{
    /// <summary>Default of <see cref="CalibrationRows"/>.</summary>
    public const int DefaultCalibrationRows = 1000;

    /// <summary>
    /// How many rows of the data passed to <see cref="HybridCompressionEstimator.Fit"/> are used to fit the factors to the
    /// model's behaviour. Default <see cref="DefaultCalibrationRows"/>; 0 compresses data-free (the data is then only
    /// used to check the schema and may be empty). With a positive value the data must have at least one row.
    /// </summary>
    public int CalibrationRows { get; set; } = DefaultCalibrationRows;

    /// <summary>
    /// Largest accuracy loss (a fraction in [0, 1], e.g. 0.01 for one percentage point) that calibration may accept,
    /// measured on the calibration rows against <see cref="LabelColumnName"/>. Null (default): accuracy is not checked.
    /// Needs <see cref="CalibrationRows"/> &gt; 0 and <see cref="LabelColumnName"/>.
    /// </summary>
    public double? MaxAccuracyDrop { get; set; }

    /// <summary>The column holding the true class, for <see cref="MaxAccuracyDrop"/> and for <see cref="FineTuning"/>'s cross-entropy term. Null (default): none.</summary>
    public string? LabelColumnName { get; set; }

    /// <summary>How each layer's factors are re-fitted to the calibration rows (steps, batch size, step size). Defaults when not set.</summary>
    public RefitOptions Refit { get; set; } = new();

    /// <summary>
    /// End-to-end training of the factors after the layer-wise re-fit, on the rows of the data passed to Fit (up to
    /// <see cref="TensorCompression.FineTuning.MaxRows"/>), with <see cref="LabelColumnName"/> when set; e.g.
    /// <c>DistillationFineTuning</c> from the package MLNet.TensorCompression.TorchSharp. Null (default): none. The
    /// estimator takes a shallow copy when it is created, as it does of every option.
    /// </summary>
    public FineTuning? FineTuning { get; set; }

    /// <summary>Receives one line per step of the fit (decompositions can take seconds), on the fitting thread. Null: silent.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Seed for every random choice of calibration (which rows, sketches), so equal inputs give equal models. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws an exception naming the first option whose value is out of range or inconsistent with another.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; <see cref="ArgumentException.ParamName"/> is the option's name.</exception>
    /// <exception cref="ArgumentException">Two options contradict each other; the message names both.</exception>
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(Refit, nameof(Refit));
        Refit.Validate();
        if (CalibrationRows < 0 || (CalibrationRows > 0 && CalibrationRows < DataViewCalibration.MinimumRows))
            throw new ArgumentOutOfRangeException(nameof(CalibrationRows), CalibrationRows, $"CalibrationRows must be 0 (data-free) or at least {DataViewCalibration.MinimumRows}.");
        if (MaxAccuracyDrop is { } drop && (!double.IsFinite(drop) || drop < 0 || drop > 1))
            throw new ArgumentOutOfRangeException(nameof(MaxAccuracyDrop), MaxAccuracyDrop, "MaxAccuracyDrop must be a fraction in [0, 1], e.g. 0.01 for one percentage point.");
        if (LabelColumnName is { Length: 0 })
            throw new ArgumentException("LabelColumnName is empty; use null for no label column.", nameof(LabelColumnName));
        if (MaxAccuracyDrop is not null && LabelColumnName is null)
            throw new ArgumentException($"MaxAccuracyDrop = {MaxAccuracyDrop} needs LabelColumnName, the column holding the true class; set LabelColumnName or leave MaxAccuracyDrop null.", nameof(LabelColumnName));
        FineTuning?.Validate();
        if (MaxAccuracyDrop is not null && CalibrationRows == 0)
            throw new ArgumentException($"MaxAccuracyDrop = {MaxAccuracyDrop} is measured on calibration rows, but CalibrationRows = 0 (data-free); set CalibrationRows > 0 or leave MaxAccuracyDrop null.", nameof(MaxAccuracyDrop));
    }

    /// <summary>An independent copy, so an estimator keeps the settings it was built with when the caller changes these.</summary>
    internal override HybridCompressionOptions Clone()
    {
        var copy = (HybridCompressionOptions)base.Clone();
        // The one setting that is a mutable object of its own (Refit is an immutable record).
        copy.FineTuning = FineTuning?.Copy();
        return copy;
    }
}

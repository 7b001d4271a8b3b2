using MLNet.TensorCompression.DataViews;

namespace MLNet.TensorCompression;

/// <summary>
/// Options of <see cref="TensorCompressionCatalog.CompressHybrid(Microsoft.ML.TransformsCatalog, string, HybridCompressionOptions?)"/>:
/// every <see cref="CompressionOptions"/> setting (same names, same defaults, same validation) plus how
/// <see cref="HybridCompressionEstimator.Fit"/> uses its data.
/// </summary>
public sealed class HybridCompressionOptions
{
    /// <summary>Default of <see cref="CalibrationRows"/>.</summary>
    public const int DefaultCalibrationRows = 1000;

    // The data-free settings live in a CompressionOptions so that its validation is the one in force.
    private readonly CompressionOptions _compression = new();

    /// <summary>Which format each kind of layer gets. Default <see cref="CompressionPolicy.Hybrid"/>.</summary>
    public CompressionPolicy Policy { get => _compression.Policy; set => _compression.Policy = value; }

    /// <summary>Rank cap for every bond/node; see <see cref="CompressionOptions.MaxRank"/>. Null: no cap (16 when neither a tolerance nor a target ratio is set).</summary>
    public int? MaxRank { get => _compression.MaxRank; set => _compression.MaxRank = value; }

    /// <summary>Relative error ε per layer; see <see cref="CompressionOptions.Tolerance"/>. Null: none.</summary>
    public double? Tolerance { get => _compression.Tolerance; set => _compression.Tolerance = value; }

    /// <summary>Whole-model compression ratio to reach; see <see cref="CompressionOptions.TargetCompressionRatio"/>. Null: none.</summary>
    public double? TargetCompressionRatio { get => _compression.TargetCompressionRatio; set => _compression.TargetCompressionRatio = value; }

    /// <summary>Per-layer choices by node name; the first match wins.</summary>
    public IList<LayerOverride> LayerOverrides => _compression.LayerOverrides;

    /// <summary>How compressed layers run. Default <see cref="LayerExecutionMode.Auto"/>.</summary>
    public LayerExecutionMode ExecutionMode { get => _compression.ExecutionMode; set => _compression.ExecutionMode = value; }

    /// <summary>Emit plain ONNX ops instead of the custom-domain functions. Default false.</summary>
    public bool Inline { get => _compression.Inline; set => _compression.Inline = value; }

    /// <summary>Layers with fewer weights than this stay dense unless an override names them. Default 4,096.</summary>
    public int MinimumLayerParameters { get => _compression.MinimumLayerParameters; set => _compression.MinimumLayerParameters = value; }

    /// <summary>Compress a convolution that reads the model's input when it has 3 input channels or fewer. Default false.</summary>
    public bool CompressInputConvolution { get => _compression.CompressInputConvolution; set => _compression.CompressInputConvolution = value; }

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

    /// <summary>How a target ratio is shared among the layers. Default <see cref="TensorCompression.RankAllocation.LeastLargestError"/>.</summary>
    public RankAllocation RankAllocation { get => _compression.RankAllocation; set => _compression.RankAllocation = value; }

    /// <summary>Receives one line per step of the fit (decompositions can take seconds), on the fitting thread. Null: silent.</summary>
    public Action<string>? Progress { get; set; }

    /// <summary>Seed for every random choice of calibration (which rows, sketches), so equal inputs give equal models. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws an exception naming the first option whose value is out of range or inconsistent with another.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; <see cref="ArgumentException.ParamName"/> is the option's name.</exception>
    /// <exception cref="ArgumentException">Two options contradict each other; the message names both.</exception>
    public void Validate()
    {
        _compression.Validate();
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
    internal HybridCompressionOptions Clone()
    {
        var copy = new HybridCompressionOptions
        {
            Policy = Policy,
            MaxRank = MaxRank,
            Tolerance = Tolerance,
            TargetCompressionRatio = TargetCompressionRatio,
            ExecutionMode = ExecutionMode,
            Inline = Inline,
            MinimumLayerParameters = MinimumLayerParameters,
            CompressInputConvolution = CompressInputConvolution,
            RankAllocation = RankAllocation,
            Refit = Refit,
            CalibrationRows = CalibrationRows,
            MaxAccuracyDrop = MaxAccuracyDrop,
            LabelColumnName = LabelColumnName,
            Progress = Progress,
            Seed = Seed,
            FineTuning = FineTuning?.Copy(),
        };
        foreach (var layerOverride in LayerOverrides)
            copy.LayerOverrides.Add(layerOverride);
        return copy;
    }

    /// <summary>The data-free settings, as the compressor takes them. Not a copy: use it on a <see cref="Clone"/>.</summary>
    internal CompressionOptions CompressionOptions => _compression;
}

namespace MLNet.TensorCompression;

/// <summary>
/// What to compress and how far. Ranks come from one of: <see cref="TargetCompressionRatio"/> (whole-model budget),
/// <see cref="Tolerance"/> (per-layer relative error), <see cref="MaxRank"/>; with none of them set, the rank cap is 16.
/// <see cref="HybridCompressionOptions"/> extends these with the settings of data-aware fitting.
/// </summary>
public class CompressionOptions
{
    /// <summary>Rank cap used when neither a rank, a tolerance nor a target ratio is given.</summary>
    public const int DefaultMaxRank = 16;

    // A field rather than an auto-property, so that Clone can give the copy its own list while the public property has no setter.
    private List<LayerOverride> layerOverrides = [];

    /// <summary>Default of <see cref="LatencyBatchSizes"/>: one sample, and a batch.</summary>
    public static readonly IReadOnlyList<int> DefaultLatencyBatchSizes = [1, 64];

    /// <summary>Which format each kind of layer gets. Default <see cref="CompressionPolicy.Hybrid"/>.</summary>
    public CompressionPolicy Policy { get; set; } = CompressionPolicy.Hybrid;

    /// <summary>Rank cap for every bond/node; with a target ratio, the largest rank the search tries. Null: no cap (16 when nothing else is set).</summary>
    public int? MaxRank { get; set; }

    /// <summary>Relative error ε per layer: each weight is approximated to ‖W − Ŵ‖_F ≤ ε‖W‖_F (unless a rank cap binds). Null: none.</summary>
    public double? Tolerance { get; set; }

    /// <summary>
    /// Whole-model compression ratio to reach (parameters before ÷ after, counting every initializer). Per-layer ranks are
    /// then chosen to meet the budget as <see cref="RankAllocation"/> says (by default, with the least largest per-layer
    /// relative error); <see cref="Tolerance"/> is then not used. Null: none.
    /// </summary>
    public double? TargetCompressionRatio { get; set; }

    /// <summary>
    /// How a target ratio is shared among the layers. Default <see cref="RankAllocation.UniformRank"/>: measured with
    /// layer-wise re-fitting on the VGG sample, 0.884 at 41x against 0.822 for <see cref="RankAllocation.LeastLargestError"/>
    /// at 40x (Fashion-MNIST's 10,000 test images; original 0.902).
    /// </summary>
    public RankAllocation RankAllocation { get; set; } = RankAllocation.UniformRank;

    /// <summary>Per-layer choices by node name; the first match wins.</summary>
    public IList<LayerOverride> LayerOverrides => layerOverrides;

    /// <summary>
    /// How weights are ordered into tensor modes. Default <see cref="TensorLayout.Split"/>: layers that run as a few large
    /// dense ops, in either format (a hierarchical Tucker tree then has the split at its root), and that, at the same
    /// whole-model ratio, measured more accurate after the layer-wise re-fit than <see cref="TensorLayout.Interleaved"/>
    /// (VGG sample at 20x: 0.8992 against 0.8909; LeNet at 5x/10x: 0.8803/0.8196 against 0.8604/0.8006), faster, and
    /// lighter to score (the interleaved rebuild needs a weight-sized reshape ONNX Runtime cannot fold away).
    /// Interleaved compresses most at a given rank cap.
    /// </summary>
    public TensorLayout Layout { get; set; } = TensorLayout.Split;

    /// <summary>
    /// How compressed layers run. Default <see cref="LayerExecutionMode.Auto"/>. Under a <see cref="CompressionObjective.Latency"/>
    /// or <see cref="CompressionObjective.Balanced"/> objective, Auto lets the objective choose among every form, and
    /// Factorized or Reconstructed limits it to that mode.
    /// </summary>
    public LayerExecutionMode ExecutionMode { get; set; } = LayerExecutionMode.Auto;

    /// <summary>
    /// What each compressed layer's layout and execution form are chosen for. Default <see cref="CompressionObjective.Size"/>
    /// (nothing is timed); the others time one-layer models in ONNX Runtime on this machine while compressing.
    /// </summary>
    public CompressionObjective Objective { get; set; } = CompressionObjective.Size;

    /// <summary>
    /// The batch sizes a <see cref="CompressionObjective.Latency"/> or <see cref="CompressionObjective.Balanced"/> objective
    /// times each layer at (a form must be no slower than the dense layer at every one of them). Default 1 and 64.
    /// </summary>
    public IReadOnlyList<int> LatencyBatchSizes { get; set; } = DefaultLatencyBatchSizes;

    /// <summary>Times one-layer models for the objective; null: ONNX Runtime on this machine, cached per process. Tests give a fake.</summary>
    internal Planning.ILayerTimer? LayerTimer { get; set; }

    /// <summary>Emit plain ONNX ops instead of the custom-domain functions. Default false.</summary>
    public bool Inline { get; set; }

    /// <summary>Layers with fewer weights than this stay dense unless an override names them. Default 4,096.</summary>
    public int MinimumLayerParameters { get; set; } = 4096;

    /// <summary>
    /// Compress a convolution that reads the model's input when it has 3 input channels or fewer. Default false: such a layer
    /// holds few weights and every later layer depends on it.
    /// </summary>
    public bool CompressInputConvolution { get; set; }

    /// <summary>Throws an exception naming the first option whose value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; <see cref="ArgumentException.ParamName"/> is the option's name.</exception>
    public virtual void Validate()
    {
        if (MaxRank is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRank), MaxRank, "MaxRank must be at least 1.");
        if (Tolerance is { } tolerance && (!double.IsFinite(tolerance) || tolerance < 0 || tolerance >= 1))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be in [0, 1).");
        if (TargetCompressionRatio is { } ratio && (!double.IsFinite(ratio) || ratio < 1))
            throw new ArgumentOutOfRangeException(nameof(TargetCompressionRatio), TargetCompressionRatio, "TargetCompressionRatio must be a finite number ≥ 1.");
        if (MinimumLayerParameters < 0)
            throw new ArgumentOutOfRangeException(nameof(MinimumLayerParameters), MinimumLayerParameters, "MinimumLayerParameters must be ≥ 0.");
        if (!Enum.IsDefined(Policy))
            throw new ArgumentOutOfRangeException(nameof(Policy), Policy, "Unknown policy.");
        if (!Enum.IsDefined(RankAllocation))
            throw new ArgumentOutOfRangeException(nameof(RankAllocation), RankAllocation, "Unknown rank allocation.");
        if (!Enum.IsDefined(Layout))
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown layout.");
        if (!Enum.IsDefined(ExecutionMode))
            throw new ArgumentOutOfRangeException(nameof(ExecutionMode), ExecutionMode, "Unknown execution mode.");
        if (!Enum.IsDefined(Objective))
            throw new ArgumentOutOfRangeException(nameof(Objective), Objective, "Unknown objective.");
        if (LatencyBatchSizes is null || LatencyBatchSizes.Count == 0 || LatencyBatchSizes.Any(b => b < 1))
            throw new ArgumentOutOfRangeException(nameof(LatencyBatchSizes), LatencyBatchSizes is null ? null : string.Join(",", LatencyBatchSizes), "LatencyBatchSizes must name at least one batch size, each ≥ 1.");
        foreach (var layerOverride in LayerOverrides)
            if (layerOverride.MaxRank is < 1)
                throw new ArgumentOutOfRangeException(nameof(LayerOverrides), layerOverride.MaxRank, $"The override for '{layerOverride.Pattern}' has rank {layerOverride.MaxRank}; ranks must be ≥ 1.");
    }

    /// <summary>
    /// An independent copy of the same type: every setting, by one memberwise copy, so a new option is copied without
    /// being listed here. A derived type overrides this only to copy what it holds that is mutable.
    /// </summary>
    internal virtual CompressionOptions Clone()
    {
        var copy = (CompressionOptions)MemberwiseClone();
        copy.layerOverrides = [.. layerOverrides];
        copy.LatencyBatchSizes = [.. LatencyBatchSizes];
        return copy;
    }
}

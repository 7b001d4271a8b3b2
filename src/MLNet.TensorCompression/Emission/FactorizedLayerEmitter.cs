using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Turns a <see cref="FactorizedWeight"/> into the ONNX that runs the factorised layer: a node of the custom domain
/// <see cref="TensorCompressionDomain"/> calling a model-local function (<c>TTLinear</c>, <c>HTLinear</c>, <c>TTConv</c> or
/// <c>HTConv</c>, whose body uses standard ops only), or the same computation inlined as plain nodes.
/// <para>
/// A function node reads the layer's input, then the factors, then the bias when there is one, and writes the layer's
/// output. Its overload names the structure the body depends on — mode (<c>dense_</c> for Reconstructed), d or the
/// tree, the schedule (<c>rtl</c>/<c>ltr</c> chain direction, HT <c>train</c>/<c>tree</c>), the layer variant
/// (<c>left</c> for W·x, <c>gemm</c>) and <c>bias</c>, e.g. <c>d3_rtl_bias</c> or <c>((0,1),(2,3))_ltr</c> — so
/// layers that differ only in sizes share one function; the sizes travel as node attributes that the body reads with
/// <c>Constant</c>/<c>ref_attr_name</c>, next to descriptive attributes (<c>in_modes</c>, <c>out_modes</c>,
/// <c>ranks</c>, <c>tree</c>, …) for a reader of the model.
/// </para>
/// <para>
/// The bodies are written for the model's default-domain opset (7 or later; see <see cref="OpBodyBuilder"/>), which
/// the functions also import, so the model's own import is never changed. The model must then have IR version ≥
/// <see cref="RequiredIrVersion"/> (function overloads) and an opset import of <see cref="TensorCompressionDomain.Opset"/>;
/// the caller sets those.
/// </para>
/// </summary>
internal static class FactorizedLayerEmitter
{
    /// <summary>The default-domain opset the bodies are written for when the caller names none.</summary>
    public const int DefaultStandardOpset = 17;

    /// <summary>The lowest IR version with function overloads.</summary>
    public const int RequiredIrVersion = 10;

    private const string InputName = "X";
    private const string OutputName = "Y";

    /// <summary>Emits one factorised layer.</summary>
    /// <param name="weight">The layer and its factorisation.</param>
    /// <param name="mode"><see cref="LayerExecutionMode.Factorized"/> or <see cref="LayerExecutionMode.Reconstructed"/>; the caller resolves Auto with the MAC estimates.</param>
    /// <param name="inline">True for plain standard-op nodes in the main graph, with no function and no custom domain.</param>
    /// <param name="namePrefix">Prefix of every initializer and node name (unique per layer, already sanitized).</param>
    /// <param name="standardOpset">The model's default-domain opset, which the nodes must be valid at (7 or later).</param>
    /// <exception cref="ArgumentException">Auto mode, an empty prefix, an opset below 7, or a layer the ops cannot carry (e.g. a grouped Conv).</exception>
    public static LayerEmission Emit(FactorizedWeight weight, LayerExecutionMode mode, bool inline, string namePrefix, int standardOpset = DefaultStandardOpset)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentException.ThrowIfNullOrWhiteSpace(namePrefix);
        var op = CreateOp(weight, mode);
        var layer = weight.Layer;
        var inputs = op.Bias is null ? op.Factors : op.Factors.Append(op.Bias).ToArray();
        var initializers = inputs.Select(f => f.ToTensorProto(InitializerName(namePrefix, f))).ToList();

        if (inline)
        {
            var graphNames = Names(op, layer.InputName, f => InitializerName(namePrefix, f), layer.OutputName);
            var body = OpBodyBuilder.ForInline(namePrefix, graphNames, standardOpset);
            op.EmitBody(body, graphNames);
            // Without a function node, the last node's doc string is where a reader finds what the nodes compute.
            body.Nodes[^1].DocString = $"{op.Name} ({op.Overload}) for layer '{layer.Name}': {string.Join(", ", op.DescriptiveAttributes.Select(Describe))}";
            return new LayerEmission(body.Nodes, initializers.Concat(body.Initializers).ToArray(), []);
        }

        var formalNames = Names(op, InputName, f => f.Role, OutputName);
        var functionBody = OpBodyBuilder.ForFunction(formalNames, standardOpset);
        op.EmitBody(functionBody, formalNames);
        var function = new FunctionProto { Name = op.Name, Domain = TensorCompressionDomain.Name, Overload = op.Overload, DocString = op.Description };
        function.Input.Add(inputs.Select(f => f.Role).Prepend(InputName));
        function.Output.Add(OutputName);
        function.Attribute.Add(op.DescriptiveAttributes.Select(a => a.Name).Concat(functionBody.DeclaredAttributes));
        function.Node.Add(functionBody.Nodes);
        function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = standardOpset });

        var node = new NodeProto { Name = namePrefix, OpType = op.Name, Domain = TensorCompressionDomain.Name, Overload = op.Overload };
        node.Input.Add(initializers.Select(i => i.Name).Prepend(layer.InputName));
        node.Output.Add(layer.OutputName);
        node.Attribute.Add(op.DescriptiveAttributes);
        node.Attribute.Add(functionBody.CallAttributes);
        return new LayerEmission([node], initializers, [function]);
    }

    /// <summary>
    /// Multiply-adds per sample of the Factorized body: the chain's steps (and a convolution's spatial Conv) per
    /// application of the weight, times <see cref="CompressibleLayer.ApplicationsPerSample"/> (1 when unknown).
    /// </summary>
    public static long FactorizedMacsPerSample(FactorizedWeight weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return CreateOp(weight, LayerExecutionMode.Factorized).MacsPerApplication * (weight.Layer.ApplicationsPerSample ?? 1);
    }

    /// <summary>Weight values the layer holds at run time in <paramref name="mode"/>, after ONNX Runtime's folding at session load (<see cref="FactorizedOp.RuntimeWeightCount"/>).</summary>
    public static long RuntimeWeightCount(FactorizedWeight weight, LayerExecutionMode mode)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return CreateOp(weight, mode).RuntimeWeightCount;
    }

    /// <summary>
    /// Multiply-adds per sample of the Reconstructed body: the dense layer's (weight count × applications per sample),
    /// since ONNX Runtime folds the rebuild into a constant when the session loads.
    /// </summary>
    public static long ReconstructedMacsPerSample(FactorizedWeight weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return weight.Layer.WeightCount * (weight.Layer.ApplicationsPerSample ?? 1);
    }

    /// <summary>
    /// The execution form for (mode, layer kind, format, layout): one op type each; a new form is a new <see cref="FactorizedOp"/>
    /// and a line here. Factorized on a <see cref="TensorLayout.Split"/> tensorization is the split form (a few large dense ops),
    /// and Reconstructed there rebuilds the weight from the split form's sides.
    /// </summary>
    private static FactorizedOp CreateOp(FactorizedWeight weight, LayerExecutionMode mode)
    {
        // A split layout's sides make the dense weight in one product (the Reconstructed form that needs the least memory
        // to fold), so it is rebuilt from them wherever the tree has them.
        bool split = weight.Tensorization.Layout == TensorLayout.Split && (mode == LayerExecutionMode.Factorized || HasFactorizedForm(weight));
        bool rebuilt = mode == LayerExecutionMode.Reconstructed;
        return (mode, weight.Layer.Kind, weight.Tensor) switch
        {
            (LayerExecutionMode.Factorized or LayerExecutionMode.Reconstructed, LayerKind.FullyConnected, TensorTrain train) when split => new TensorTrainSplitLinearOp(weight, train, rebuilt),
            (LayerExecutionMode.Factorized or LayerExecutionMode.Reconstructed, LayerKind.Convolution, TensorTrain train) when split => new TensorTrainSplitConvOp(weight, train, rebuilt),
            (LayerExecutionMode.Factorized or LayerExecutionMode.Reconstructed, LayerKind.FullyConnected, HierarchicalTucker tucker) when split => new HierarchicalTuckerSplitLinearOp(weight, tucker, rebuilt),
            (LayerExecutionMode.Factorized or LayerExecutionMode.Reconstructed, LayerKind.Convolution, HierarchicalTucker tucker) when split => new HierarchicalTuckerSplitConvOp(weight, tucker, rebuilt),
            (LayerExecutionMode.Reconstructed, _, _) => new ReconstructedOp(weight),
            (LayerExecutionMode.Factorized, LayerKind.FullyConnected, TensorTrain train) => new TensorTrainLinearOp(weight, train),
            (LayerExecutionMode.Factorized, LayerKind.FullyConnected, HierarchicalTucker tucker) => new HierarchicalTuckerLinearOp(weight, tucker),
            (LayerExecutionMode.Factorized, LayerKind.Convolution, TensorTrain train) => new TensorTrainConvOp(weight, train),
            (LayerExecutionMode.Factorized, LayerKind.Convolution, HierarchicalTucker tucker) => new HierarchicalTuckerConvOp(weight, tucker),
            (LayerExecutionMode.Factorized or LayerExecutionMode.Reconstructed, _, _) =>
                throw new ArgumentException($"Layer '{weight.Layer.Name}': no factorised form for a {weight.Layer.Kind} layer in {weight.Tensor.Format}.", nameof(weight)),
            _ => throw new ArgumentException($"Layer '{weight.Layer.Name}': execution mode {mode} must be resolved to Factorized or Reconstructed before emitting the layer.", nameof(mode)),
        };
    }

    /// <summary>True when the layer has a factorised form to run: always, but for an HT tree that does not separate a split layout's sides.</summary>
    public static bool HasFactorizedForm(FactorizedWeight weight) =>
        weight.Tensorization.Layout != TensorLayout.Split || weight.Tensor is not HierarchicalTucker tucker || HierarchicalTuckerSplit.Fits(weight, tucker);

    private static string InitializerName(string namePrefix, FactorTensor tensor) => $"{namePrefix}/{tensor.Role}";

    private static OpBodyNames Names(FactorizedOp op, string input, Func<FactorTensor, string> name, string output) =>
        new(input, op.Factors.ToDictionary(f => f.Role, name), op.Bias is null ? null : name(op.Bias), output);

    private static string Describe(AttributeProto attribute) =>
        attribute.Name + "=" + (attribute.Ints.Count > 0 ? "[" + string.Join(",", attribute.Ints) + "]" : attribute.S.ToStringUtf8());
}

using MLNet.TensorCompression.Onnx.Protobuf;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Writes the nodes of one factorised layer in one of two forms, so each op describes its computation once:
/// <list type="bullet">
/// <item>a model-local function body: values have local names, and every per-layer integer becomes an attribute of the
/// calling node that the body reads through a <c>Constant</c> with <c>ref_attr_name</c> — so layers that differ only
/// in sizes share one body;</item>
/// <item>inline nodes of the main graph: names carry the layer's prefix and per-layer integers become int64
/// initializers.</item>
/// </list>
/// Either way the nodes are valid at the model's default-domain opset (7 or later), as ONNX Runtime resolves function
/// bodies against the model's import: where an op changed between opsets (<c>Constant</c> holds only floating-point
/// tensors before 9 and gained <c>value_ints</c> at 12; <c>Slice</c>'s bounds became inputs at 10) the builder writes the
/// older form below that opset.
/// </summary>
internal sealed class OpBodyBuilder
{
    /// <summary>The oldest default-domain opset ONNX Runtime runs, and so the oldest the bodies are written for.</summary>
    public const int MinimumStandardOpset = 7;

    /// <summary>Slice takes starts/ends as inputs from this opset; before, as attributes.</summary>
    private const int SliceInputsOpset = 10;

    /// <summary>Constant has value_ints from this opset; before, only a tensor value.</summary>
    private const int ConstantValueIntsOpset = 12;

    /// <summary>Constant holds an int64 tensor from this opset; before, only float16/float/double.</summary>
    private const int ConstantInt64Opset = 9;

    private readonly string? namePrefix;
    private readonly int opset;
    private readonly List<NodeProto> nodes = [];
    private readonly List<TensorProto> initializers = [];
    private readonly List<AttributeProto> callAttributes = [];
    private readonly List<string> declaredAttributes = [];
    private readonly HashSet<string> localNames = new(StringComparer.Ordinal);

    private OpBodyBuilder(string? namePrefix, OpBodyNames io, int opset)
    {
        if (opset < MinimumStandardOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"Factorised layers are written for default-domain opset {MinimumStandardOpset} or later (the oldest ONNX Runtime runs).");
        this.namePrefix = namePrefix;
        this.opset = opset;
        localNames.UnionWith(io.Factors.Values.Append(io.Input).Append(io.Output));
        if (io.Bias is not null) localNames.Add(io.Bias);
    }

    /// <summary>A builder for a function body whose formal inputs and output are <paramref name="io"/>, valid at default-domain <paramref name="opset"/>.</summary>
    public static OpBodyBuilder ForFunction(OpBodyNames io, int opset) => new(null, io, opset);

    /// <summary>A builder for plain nodes in the main graph, named <c>{namePrefix}/…</c>, reading and writing <paramref name="io"/>, valid at default-domain <paramref name="opset"/>.</summary>
    public static OpBodyBuilder ForInline(string namePrefix, OpBodyNames io, int opset) => new(namePrefix, io, opset);

    /// <summary>The default-domain opset the nodes are valid at.</summary>
    public int Opset => opset;

    /// <summary>The nodes written so far, in topological order.</summary>
    public IReadOnlyList<NodeProto> Nodes => nodes;

    /// <summary>Inline form only: the int64 initializers holding per-layer integers.</summary>
    public IReadOnlyList<TensorProto> Initializers => initializers;

    /// <summary>Function form only: the attributes the calling node must carry for the body.</summary>
    public IReadOnlyList<AttributeProto> CallAttributes => callAttributes;

    /// <summary>Function form only: the names of the attributes the body reads.</summary>
    public IReadOnlyList<string> DeclaredAttributes => declaredAttributes;

    /// <summary>Adds a node with one output, named after <paramref name="label"/>, and returns that output's name.</summary>
    public string Node(string opType, string label, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        var output = LocalName(label);
        Add(opType, output, output, inputs, attributes);
        return output;
    }

    /// <summary>Adds a node, named after <paramref name="label"/>, that writes the given (caller-visible) name, e.g. the layer's output.</summary>
    public void NodeTo(string opType, string label, string output, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Add(opType, LocalName(label), output, inputs, attributes);

    /// <summary>
    /// Writes a layer's last node, <paramref name="opType"/> on <paramref name="inputs"/>: straight to the layer's output,
    /// or, when the layer has a bias, to an intermediate that the bias is then added to.
    /// </summary>
    public void NodeToBiasedOutput(string opType, IReadOnlyList<string> inputs, OpBodyNames io)
    {
        if (io.Bias is null)
        {
            NodeTo(opType, "output", io.Output, inputs);
            return;
        }
        var unbiased = Node(opType, "unbiased", inputs);
        NodeTo("Add", "output", io.Output, [unbiased, io.Bias]);
    }

    private void Add(string opType, string name, string output, IReadOnlyList<string> inputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        nodes.Add(node);
    }

    /// <summary>
    /// Sizes [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="input"/>'s shape, as Shape then Slice:
    /// ONNX Runtime checks a function body against the model's opset, not the function's own import, and Shape's
    /// start/end attributes need opset 15 while Slice with inputs is there from opset 10. Below 10, Slice-1 takes the
    /// same bounds (negative ones counted from the end, too-large ones clamped) as attributes.
    /// </summary>
    public string ShapeSlice(string label, string input, long start, long end)
    {
        var shape = Node("Shape", label + "_shape", [input]);
        if (opset >= SliceInputsOpset)
            return Node("Slice", label, [shape, LayerInts(label + "_start", [start]), LayerInts(label + "_end", [end])]);
        return Node("Slice", label, [shape],
            LayerIntsAttribute("starts", label + "_start", [start]), LayerIntsAttribute("ends", label + "_end", [end]), OnnxAttributes.Ints("axes", [0L]));
    }

    /// <summary>
    /// An int64 vector that depends on the layer (a reshape target, say): in a function, the calling node's attribute
    /// <paramref name="name"/>; inline, an initializer.
    /// </summary>
    public string LayerInts(string name, IReadOnlyList<long> values)
    {
        if (namePrefix is not null) return Int64Initializer(name, values);
        Declare(name);
        if (opset >= ConstantValueIntsOpset)
        {
            callAttributes.Add(OnnxAttributes.Ints(name, values));
            return Node("Constant", name, [], OnnxAttributes.Reference("value_ints", name, AttributeType.Ints));
        }
        if (opset >= ConstantInt64Opset)
        {
            // Constant-9/11 only hold a tensor: the caller passes the vector as an int64 TENSOR attribute.
            callAttributes.Add(new AttributeProto { Name = name, Type = AttributeType.Tensor, T = Int64Tensor("", values) });
            return Node("Constant", name, [], OnnxAttributes.Reference("value", name, AttributeType.Tensor));
        }
        // Constant-1 holds floating point only: a DOUBLE tensor (exact for integers below 2⁵³) cast to int64 (Cast-6).
        var asDouble = new TensorProto { DataType = (int)DataType.Double };
        asDouble.Dims.Add(values.Count);
        asDouble.DoubleData.Add(values.Select(v => (double)v));
        callAttributes.Add(new AttributeProto { Name = name, Type = AttributeType.Tensor, T = asDouble });
        var doubles = Node("Constant", name + "_double", [], OnnxAttributes.Reference("value", name, AttributeType.Tensor));
        return Node("Cast", name, [doubles], OnnxAttributes.Int("to", (long)DataType.Int64));
    }

    /// <summary>
    /// An INTS attribute <paramref name="name"/> of a body node that depends on the layer: in a function, a reference to
    /// the calling node's attribute <paramref name="callerName"/>, which the caller gets; inline, the values themselves.
    /// </summary>
    public AttributeProto LayerIntsAttribute(string name, string callerName, IReadOnlyList<long> values)
    {
        if (namePrefix is not null) return OnnxAttributes.Ints(name, values);
        Declare(callerName);
        callAttributes.Add(OnnxAttributes.Ints(callerName, values));
        return OnnxAttributes.Reference(name, callerName, AttributeType.Ints);
    }

    /// <summary>
    /// Attributes of the layer's own node to put on a body node (a Conv's geometry): in a function, references to
    /// caller attributes of the same names (absent ones stay absent), with the layer's values passed by the caller;
    /// inline, copies of the layer's values.
    /// </summary>
    public AttributeProto[] LayerAttributes(IReadOnlyList<AttributeProto> values, IReadOnlyList<(string Name, AttributeType Type)> names)
    {
        if (namePrefix is not null) return values.Select(a => a.Clone()).ToArray();
        foreach (var (name, _) in names) Declare(name);
        callAttributes.AddRange(values.Select(a => a.Clone()));
        return names.Select(n => OnnxAttributes.Reference(n.Name, n.Name, n.Type)).ToArray();
    }

    /// <summary>
    /// A per-layer INT attribute <paramref name="name"/> of a body node: in a function, a reference to the calling
    /// node's attribute <paramref name="callerName"/>, which the caller gets; inline, the value itself.
    /// </summary>
    public AttributeProto LayerInt(string name, string callerName, long value)
    {
        if (namePrefix is not null) return OnnxAttributes.Int(name, value);
        Declare(callerName);
        callAttributes.Add(OnnxAttributes.Int(callerName, value));
        return OnnxAttributes.Reference(name, callerName, AttributeType.Int);
    }

    private void Declare(string attributeName)
    {
        if (declaredAttributes.Contains(attributeName))
            throw new InvalidOperationException($"The function attribute '{attributeName}' is declared twice.");
        declaredAttributes.Add(attributeName);
    }

    private string LocalName(string label)
    {
        var name = namePrefix is null ? label : $"{namePrefix}/{label}";
        // Labels are chosen by the ops; a clash (with each other or with the bound names) would silently rewire the
        // graph, so it is a bug worth stopping on.
        if (!localNames.Add(name)) throw new InvalidOperationException($"The name '{name}' is used twice in one layer's nodes.");
        return name;
    }

    private string Int64Initializer(string label, IReadOnlyList<long> values)
    {
        var tensor = Int64Tensor(LocalName(label), values);
        initializers.Add(tensor);
        return tensor.Name;
    }

    private static TensorProto Int64Tensor(string name, IReadOnlyList<long> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        tensor.Dims.Add(values.Count);
        tensor.Int64Data.Add(values);
        return tensor;
    }
}

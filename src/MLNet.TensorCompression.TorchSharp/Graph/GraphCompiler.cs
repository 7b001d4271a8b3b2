using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// Turns an ONNX graph into a <see cref="CompiledGraph"/>: parses every node's attributes once into a kernel, inlines
/// calls to model-local functions (resolving <c>ref_attr_name</c> from the caller), builds initializer tensors once,
/// and runs nodes whose inputs are all fixed (Constant, Shape-free integer arithmetic, transposes of frozen weights)
/// once at compile time. Collects every unsupported node before failing, so one error lists them all.
/// </summary>
internal sealed class GraphCompiler
{
    private const string DefaultDomain = "";

    private readonly ModelProto model;
    private readonly Dictionary<(string Domain, string Name, string Overload), FunctionProto> functions = [];
    private readonly List<Tensor?> boundValues = [];
    private readonly List<bool> isConstant = [];
    private readonly List<ProgramStep> steps = [];
    private readonly List<string> unsupported = [];
    private readonly Stack<string> callStack = new();

    private GraphCompiler(ModelProto model)
    {
        this.model = model;
        foreach (var function in model.Functions) functions[(NormalizeDomain(function.Domain), function.Name, function.Overload)] = function;
    }

    /// <summary>
    /// Compiles <paramref name="model"/>'s graph. Tensors are created in the caller's dispose scope; the caller detaches
    /// those it keeps (every non-null bound value).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="trainable">Names of the FLOAT initializers that become trainable parameters.</param>
    /// <param name="parameters">Receives the parameters by initializer name.</param>
    /// <param name="outputNames">The graph outputs to return, in order.</param>
    /// <param name="inputName">The graph input's name.</param>
    /// <exception cref="NotSupportedException">Unsupported ops (all listed) or element types (the tensor named).</exception>
    /// <exception cref="ArgumentException">An output name is not a graph output.</exception>
    public static CompiledGraph Compile(
        ModelProto model, IReadOnlySet<string> trainable, Dictionary<string, Parameter> parameters, IReadOnlyList<string> outputNames, out string inputName)
    {
        var compiler = new GraphCompiler(model);
        return compiler.CompileMain(trainable, parameters, outputNames, out inputName);
    }

    private CompiledGraph CompileMain(IReadOnlySet<string> trainable, Dictionary<string, Parameter> parameters, IReadOnlyList<string> outputNames, out string inputName)
    {
        var graph = model.Graph;
        RequireSupportedValueTypes(graph);
        var scope = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            var value = TorchTensorProtos.ToTorch(initializer, $"initializer '{initializer.Name}'");
            if (trainable.Contains(initializer.Name))
            {
                var parameter = new Parameter(value, requires_grad: true);
                parameters[initializer.Name] = parameter;
                scope[initializer.Name] = NewSlot(parameter, constant: false);
            }
            else
            {
                scope[initializer.Name] = NewSlot(value, constant: true);
            }
        }

        var initializerSlots = new Dictionary<string, int>(scope, StringComparer.Ordinal);
        var input = SingleGraphInput(graph);
        inputName = input.Name;
        var inputSlot = NewSlot(null, constant: false);
        scope[inputName] = inputSlot;

        var opset = DefaultOpset(model.OpsetImport) ?? throw new NotSupportedException("The model imports no default ('ai.onnx') opset.");
        foreach (var node in graph.Node) CompileNode(node, scope, new Dictionary<string, AttributeProto>(), opset, location: "");

        if (unsupported.Count > 0)
            throw new NotSupportedException($"OnnxTorchGraph cannot run {unsupported.Count} node(s) of this model: {string.Join("; ", unsupported)}.");

        var outputSlots = new int[outputNames.Count];
        for (var i = 0; i < outputSlots.Length; i++)
        {
            var output = graph.Output.FirstOrDefault(o => o.Name == outputNames[i])
                ?? throw new ArgumentException(
                    $"'{outputNames[i]}' is not an output of graph '{graph.Name}'; its outputs are {string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}.", nameof(outputNames));
            RequireFloat(output, "graph output");
            outputSlots[i] = scope.TryGetValue(output.Name, out var slot)
                ? slot
                : throw new InvalidOperationException($"No node, initializer or input produces the graph output '{output.Name}'.");
        }

        return new CompiledGraph(boundValues.ToArray(), steps.ToArray(), inputSlot, outputSlots, initializerSlots);
    }

    private void CompileNode(NodeProto node, Dictionary<string, int> scope, IReadOnlyDictionary<string, AttributeProto> callerAttributes, long opset, string location)
    {
        var nodeName = node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault(o => o.Length > 0) ?? "(unnamed)";
        var domain = NormalizeDomain(node.Domain);
        var qualifiedType = domain == DefaultDomain ? node.OpType : $"{domain}:{node.OpType}";
        var description = $"{qualifiedType} (node '{nodeName}'{location})";
        var attributes = ResolveAttributes(node, callerAttributes);
        var inputSlots = node.Input.Select(name => Resolve(name, scope, description)).ToArray();

        if (functions.TryGetValue((domain, node.OpType, node.Overload), out var function))
        {
            InlineFunction(node, function, attributes, inputSlots, scope, opset, description);
            return;
        }

        OpKernel? kernel = null;
        var factory = domain == DefaultDomain ? OpKernelCatalog.Find(node.OpType) : null;
        if (factory is null)
        {
            Unsupported(domain == DefaultDomain ? description : $"{description}, whose domain has no model-local function of that name");
        }
        else
        {
            try
            {
                kernel = factory(new OpNode(node.OpType, description, new OpAttributes(attributes.Values), opset, node.Input.Count, node.Output));
            }
            catch (NotSupportedException e)
            {
                Unsupported(e.Message);
            }
        }

        var outputSlots = node.Output.Select(_ => NewSlot(null, constant: false)).ToArray();
        for (var i = 0; i < node.Output.Count; i++)
            if (node.Output[i].Length > 0) scope[node.Output[i]] = outputSlots[i];
        if (kernel is null) return;

        var step = new ProgramStep(kernel, inputSlots, outputSlots, description);
        if (inputSlots.All(s => s < 0 || isConstant[s])) Fold(step);
        else steps.Add(step);
    }

    /// <summary>Runs a step whose inputs are all fixed now, and makes its outputs fixed values.</summary>
    private void Fold(ProgramStep step)
    {
        using var noGrad = no_grad();
        var outputs = Run(step, step.Inputs.Select(s => s < 0 ? null : boundValues[s]).ToArray());
        for (var i = 0; i < step.Outputs.Length && i < outputs.Length; i++)
        {
            boundValues[step.Outputs[i]] = outputs[i];
            isConstant[step.Outputs[i]] = true;
        }
    }

    /// <summary>Runs one step's kernel, naming the node when it fails.</summary>
    public static Tensor[] Run(ProgramStep step, Tensor?[] inputs)
    {
        try
        {
            return step.Kernel(inputs);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or NotSupportedException))
        {
            throw new InvalidOperationException($"{step.Description} failed: {e.Message}", e);
        }
    }

    private void InlineFunction(
        NodeProto node, FunctionProto function, IReadOnlyDictionary<string, AttributeProto> attributes, int[] inputSlots,
        Dictionary<string, int> scope, long opset, string description)
    {
        var functionName = $"{function.Domain}:{function.Name}";
        if (callStack.Contains(functionName)) throw new NotSupportedException($"{description} calls function '{functionName}' recursively.");
        callStack.Push(functionName);

        // Formal names see the caller's values; an omitted optional input stays omitted (-1).
        var body = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < function.Input.Count; i++) body[function.Input[i]] = i < inputSlots.Length ? inputSlots[i] : -1;

        // The caller's attributes, then the function's defaults for those it leaves out.
        var bodyAttributes = new Dictionary<string, AttributeProto>(attributes, StringComparer.Ordinal);
        foreach (var defaultValue in function.AttributeProto) bodyAttributes.TryAdd(defaultValue.Name, defaultValue);

        var bodyOpset = DefaultOpset(function.OpsetImport) ?? opset;
        foreach (var bodyNode in function.Node) CompileNode(bodyNode, body, bodyAttributes, bodyOpset, $" in function '{functionName}'");

        for (var i = 0; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length == 0) continue;
            scope[node.Output[i]] = i < function.Output.Count && body.TryGetValue(function.Output[i], out var slot)
                ? slot
                : NewSlot(null, constant: false);
        }

        callStack.Pop();
    }

    /// <summary>The node's attributes by name, with references to the caller's attributes replaced by their values (absent stays absent).</summary>
    private static Dictionary<string, AttributeProto> ResolveAttributes(NodeProto node, IReadOnlyDictionary<string, AttributeProto> callerAttributes)
    {
        var resolved = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (attribute.RefAttrName.Length == 0)
            {
                resolved[attribute.Name] = attribute;
            }
            else if (callerAttributes.TryGetValue(attribute.RefAttrName, out var value))
            {
                var renamed = value.Clone();
                renamed.Name = attribute.Name;
                resolved[attribute.Name] = renamed;
            }
        }

        return resolved;
    }

    private int Resolve(string name, Dictionary<string, int> scope, string description)
    {
        if (name.Length == 0) return -1;
        return scope.TryGetValue(name, out var slot)
            ? slot
            : throw new InvalidOperationException($"Input '{name}' of {description} is not a graph input, an initializer or an earlier node's output.");
    }

    private int NewSlot(Tensor? value, bool constant)
    {
        boundValues.Add(value);
        isConstant.Add(constant);
        return boundValues.Count - 1;
    }

    private void Unsupported(string message)
    {
        if (!unsupported.Contains(message)) unsupported.Add(message);
    }

    private static ValueInfoProto SingleGraphInput(GraphProto graph)
    {
        var inputs = GraphInputs.Fed(graph);
        if (inputs.Length != 1)
            throw new NotSupportedException(
                $"OnnxTorchGraph runs graphs with exactly one input that is not an initializer; graph '{graph.Name}' has {inputs.Length}: {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}.");
        RequireFloat(inputs[0], "graph input");
        return inputs[0];
    }

    private static void RequireFloat(ValueInfoProto value, string role)
    {
        var elementType = value.Type?.TensorType?.ElemType ?? 0;
        if (elementType != (int)TensorProto.Types.DataType.Float)
            throw new NotSupportedException(
                $"The {role} '{value.Name}' has element type {TorchTensorProtos.ElementTypeName(elementType)}; OnnxTorchGraph takes and returns FLOAT tensors.");
    }

    /// <summary>Every typed tensor the graph declares must be FLOAT or INT64 (shapes); the error names the first that is not.</summary>
    private static void RequireSupportedValueTypes(GraphProto graph)
    {
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (value.Type?.TensorType is { } tensorType && tensorType.HasElemType && !TorchTensorProtos.IsSupported(tensorType.ElemType))
                throw new NotSupportedException(
                    $"The tensor '{value.Name}' has element type {TorchTensorProtos.ElementTypeName(tensorType.ElemType)}; OnnxTorchGraph runs FLOAT tensors, and INT64 for shapes and indices.");
        }
    }

    private static long? DefaultOpset(IEnumerable<OperatorSetIdProto> imports) =>
        imports.FirstOrDefault(i => NormalizeDomain(i.Domain) == DefaultDomain)?.Version;

    private static string NormalizeDomain(string domain) => domain == "ai.onnx" ? DefaultDomain : domain;
}

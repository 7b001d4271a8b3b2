using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.TorchSharp.Graph;
using static TorchSharp.torch;
using TorchSharp.Modules;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;

namespace MLNet.TensorCompression.TorchSharp;

/// <summary>
/// Runs an ONNX model's graph with TorchSharp tensors, so it can be trained with autograd. The graph is compiled once
/// (attributes parsed, functions inlined, initializers and constant sub-expressions built), so
/// <see cref="Forward"/> does tensor work only.
/// </summary>
internal sealed class OnnxTorchGraph : IDisposable
{
    /// <summary>The domain of the compressed layers' nodes, whose float inputs are the factors and biases: the core library's.</summary>
    /// <remarks>This package's one reference to where the core library declares the domain.</remarks>
    public const string CompressedLayerDomain = TensorCompressionDomain.Name;

    private readonly CompiledGraph program;
    private readonly Dictionary<string, Parameter> parameters;
    private bool disposed;

    private OnnxTorchGraph(CompiledGraph program, Dictionary<string, Parameter> parameters, string inputName, IReadOnlyList<string> outputNames)
    {
        this.program = program;
        this.parameters = parameters;
        InputName = inputName;
        OutputNames = outputNames;
    }

    /// <summary>Compiles <paramref name="model"/>'s graph.</summary>
    /// <param name="model">The model; it is read, not changed, and not referenced afterwards.</param>
    /// <param name="trainFactors">
    /// When true, every FLOAT initializer that is an input of a node of domain <see cref="CompressedLayerDomain"/>
    /// (the factors and biases of compressed layers) becomes a trainable <see cref="Parameter"/>; every other
    /// initializer is a frozen tensor either way.
    /// </param>
    /// <param name="outputs">The graph outputs <see cref="ForwardOutputs"/> returns, in order; null (default): the first graph output.</param>
    /// <exception cref="ArgumentException">A name in <paramref name="outputs"/> is not a graph output.</exception>
    /// <exception cref="NotSupportedException">
    /// The graph or a function it calls has ops this executor does not run (every one is listed, with its node), or a
    /// tensor of an element type other than FLOAT (and INT64 for shapes), or not exactly one non-initializer input.
    /// </exception>
    /// <exception cref="TorchRuntimeUnavailableException">TorchSharp's native libraries do not load.</exception>
    public static OnnxTorchGraph Create(OnnxModel model, bool trainFactors, IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(model, trainFactors ? CompressedLayerInputs(model.Proto) : new HashSet<string>(), outputs);
    }

    /// <summary>Compiles <paramref name="model"/>'s graph with the named FLOAT initializers trainable (e.g. all of them, to train a dense model).</summary>
    /// <inheritdoc cref="Create(OnnxModel, bool, IReadOnlyList{string})" path="/param[@name='outputs']"/>
    /// <inheritdoc cref="Create(OnnxModel, bool, IReadOnlyList{string})" path="/exception"/>
    public static OnnxTorchGraph Create(OnnxModel model, IReadOnlySet<string> trainableInitializers, IReadOnlyList<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainableInitializers);
        TorchRuntime.EnsureAvailable();
        var trainable = trainableInitializers.ToHashSet(StringComparer.Ordinal);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        if (model.Graph.Output.Count == 0) throw new NotSupportedException($"Graph '{model.Graph.Name}' has no output.");
        var outputNames = outputs?.ToArray() ?? [model.Graph.Output[0].Name];
        CompiledGraph program;
        string inputName;
        // Temporaries of compilation die with this scope; what the graph keeps is detached from it (and from any caller's).
        using (NewDisposeScope())
        {
            try
            {
                program = GraphCompiler.Compile(model.Proto, trainable, parameters, outputNames, out inputName);
            }
            catch
            {
                foreach (var parameter in parameters.Values) parameter.Dispose();
                throw;
            }

            foreach (var value in program.BoundValues) value?.DetachFromDisposeScope();
        }

        return new OnnxTorchGraph(program, parameters, inputName, outputNames);
    }

    /// <summary>The graph's single input that is not an initializer.</summary>
    public string InputName { get; }

    /// <summary>The graph outputs <see cref="ForwardOutputs"/> returns, in order; <see cref="Forward"/> returns the first.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Trainable parameters by initializer name (empty when created without trainFactors).</summary>
    public IReadOnlyDictionary<string, Parameter> Parameters => parameters;

    /// <summary>Runs the graph and returns its first listed output (<see cref="OutputNames"/>[0]).</summary>
    /// <inheritdoc cref="ForwardOutputs" path="/param"/>
    /// <inheritdoc cref="ForwardOutputs" path="/exception"/>
    public Tensor Forward(Tensor input) => ForwardOutputs(input)[0];

    /// <summary>Runs the graph.</summary>
    /// <param name="input">The value of <see cref="InputName"/>: float32, batch first.</param>
    /// <returns>The values of <see cref="OutputNames"/>, in order. They and all intermediates land in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentException">The input is not float32.</exception>
    /// <exception cref="InvalidOperationException">A node fails on this input (the message names it).</exception>
    public Tensor[] ForwardOutputs(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (input.dtype != ScalarType.Float32)
            throw new ArgumentException($"The input '{InputName}' must be float32 but is {input.dtype}.", nameof(input));

        var values = (Tensor?[])program.BoundValues.Clone();
        values[program.InputSlot] = input;
        foreach (var step in program.Steps)
        {
            var arguments = new Tensor?[step.Inputs.Length];
            for (var i = 0; i < arguments.Length; i++) arguments[i] = step.Inputs[i] < 0 ? null : values[step.Inputs[i]];
            var results = GraphCompiler.Run(step, arguments);
            for (var i = 0; i < step.Outputs.Length && i < results.Length; i++) values[step.Outputs[i]] = results[i];
        }

        return program.OutputSlots.Select((slot, i) =>
        {
            var output = values[slot] ?? throw new InvalidOperationException($"No node produced the output '{OutputNames[i]}'.");
            // A fixed output must not be handed out: the caller's scope would dispose the graph's own tensor.
            return program.BoundValues[slot] is null ? output : output.clone();
        }).ToArray();
    }

    /// <summary>
    /// Writes the current parameter values into the FLOAT initializers of the same names in <paramref name="model"/>
    /// (a caller-owned copy of the model this graph was created from), keeping their shapes.
    /// </summary>
    /// <exception cref="InvalidOperationException">An initializer is missing, not FLOAT, or of another shape.</exception>
    public void CopyParametersInto(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(disposed, this);
        var initializers = model.Graph.Initializer;
        foreach (var (name, parameter) in parameters)
        {
            var index = IndexOf(initializers, name);
            var current = initializers[index];
            var shape = parameter.shape;
            if (current.DataType != (int)DataType.Float || !current.Dims.SequenceEqual(shape))
                throw new InvalidOperationException(
                    $"Initializer '{name}' is {TorchTensorProtos.ElementTypeName(current.DataType)} [{string.Join(",", current.Dims)}], not the parameter's FLOAT [{string.Join(",", shape)}].");
            float[] data;
            using (no_grad())
            using (var values = parameter.detach().contiguous())
            {
                data = values.data<float>().ToArray();
            }

            initializers[index] = FloatTensorProto.Create(name, shape, data);
        }
    }

    /// <summary>Frees the parameters and the frozen tensors.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        // Folded values may be the same tensor object as an initializer (Identity): dispose each object once.
        foreach (var value in program.BoundValues.OfType<Tensor>().Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>()) value.Dispose();
    }

    /// <summary>The frozen (not trainable) initializer tensors by name, for tests.</summary>
    internal IReadOnlyDictionary<string, Tensor> FrozenInitializers =>
        program.InitializerSlots
            .Where(entry => !parameters.ContainsKey(entry.Key))
            .ToDictionary(entry => entry.Key, entry => program.BoundValues[entry.Value]!, StringComparer.Ordinal);

    /// <summary>Every FLOAT initializer of <paramref name="model"/>'s main graph: all its weights (shapes and indices are INT64).</summary>
    public static HashSet<string> FloatInitializers(ModelProto model) =>
        model.Graph.Initializer.Where(t => t.DataType == (int)DataType.Float).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    private static int IndexOf(IList<TensorProto> initializers, string name)
    {
        for (var i = 0; i < initializers.Count; i++)
            if (initializers[i].Name == name) return i;
        throw new InvalidOperationException($"The model has no initializer '{name}' to copy the parameter into.");
    }

    /// <summary>The FLOAT initializers that are inputs of nodes of domain <see cref="CompressedLayerDomain"/>: the factors and biases of compressed layers.</summary>
    public static HashSet<string> CompressedLayerInputs(ModelProto model)
    {
        var floatInitializers = FloatInitializers(model);
        return model.Graph.Node
            .Where(n => n.Domain == CompressedLayerDomain)
            .SelectMany(n => n.Input)
            .Where(floatInitializers.Contains)
            .ToHashSet(StringComparer.Ordinal);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using Dimension = MLNet.TensorCompression.Onnx.Protobuf.TensorShapeProto.Types.Dimension;

namespace MLNet.TensorCompression.DataViews;

/// <summary>
/// A model's graph inputs (initializers excluded) and outputs, as ML.NET sees them: ONNX scoring in ML.NET reads and
/// writes columns named exactly like these tensors, one sample per row.
/// </summary>
internal sealed class ModelSignature
{
    private readonly IReadOnlyList<ValueInfoProto> inputs;
    private readonly IReadOnlyList<ValueInfoProto> outputs;

    private ModelSignature(IReadOnlyList<ValueInfoProto> inputs, IReadOnlyList<ValueInfoProto> outputs)
    {
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /// <summary>The signature of <paramref name="model"/>'s main graph.</summary>
    public static ModelSignature Of(OnnxModel model)
    {
        return new ModelSignature(GraphInputs.Fed(model.Graph), model.Graph.Output.ToArray());
    }

    /// <summary>Names of the inputs that data must feed, in graph order.</summary>
    public string[] InputNames => inputs.Select(i => i.Name).ToArray();

    /// <summary>Names of the outputs, in graph order.</summary>
    public string[] OutputNames => outputs.Select(o => o.Name).ToArray();

    /// <summary>
    /// Throws unless <paramref name="inputColumnNames"/> names every model input once and nothing else (ONNX Runtime
    /// needs them all), and <paramref name="outputColumnNames"/> names model outputs only, each once.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not in the model, is repeated, or a model input is missing; lists what the model has.</exception>
    public void RequireColumns(string[] outputColumnNames, string[] inputColumnNames)
    {
        RequireSubset(outputColumnNames, OutputNames, "output", nameof(outputColumnNames));
        RequireSubset(inputColumnNames, InputNames, "input", nameof(inputColumnNames));
        var missing = InputNames.Except(inputColumnNames, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"The model needs input(s) {Quote(missing)} but the input column names are {Quote(inputColumnNames)}; name every model input.", nameof(inputColumnNames));
    }

    /// <summary>
    /// Throws when a column of <paramref name="schema"/> that feeds a model input holds a different number of values
    /// per row than one sample of that input. ML.NET reports this only when a row is scored, in terms of tensors; this
    /// check runs before compression and names the column. Missing columns and wrong item types are left to ML.NET's
    /// own schema check.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column has the wrong size; names the column, its type and the expected shape.</exception>
    public void RequireSampleSizes(DataViewSchema schema, string[] inputColumnNames, string parameterName)
    {
        foreach (var name in inputColumnNames)
        {
            var column = schema.GetColumnOrNull(name);
            if (column is null) continue;
            var dims = inputs.Single(i => i.Name == name).Type?.TensorType?.Shape?.Dim;
            if (dims is null || dims.Count == 0 || !dims.Skip(1).All(IsFixed)) continue;
            long expected = dims.Where(IsFixed).Aggregate(1L, (product, d) => product * d.DimValue);
            int actual = column.Value.Type switch
            {
                VectorDataViewType vector => vector.Size,
                PrimitiveDataViewType => 1,
                _ => 0,
            };
            // Size 0 is a variable-length vector: its rows are checked by ML.NET as they are scored.
            if (actual != 0 && actual != expected)
                throw new ArgumentOutOfRangeException(parameterName,
                    $"Schema mismatch for input column '{name}': the model's input '{name}' has shape {Format(dims)}, {expected} values per row, but the column is {column.Value.Type} ({actual} values).");
        }
    }

    private static bool IsFixed(Dimension dimension) => dimension.ValueCase == Dimension.ValueOneofCase.DimValue && dimension.DimValue > 0;

    private static string Format(IEnumerable<Dimension> dims) =>
        "[" + string.Join(",", dims.Select(d => IsFixed(d) ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam is { Length: > 0 } p ? p : "?")) + "]";

    private static void RequireSubset(string[] names, string[] available, string kind, string parameterName)
    {
        if (names.Length == 0)
            throw new ArgumentException($"No {kind} column names were given; the model's {kind}s are {Quote(available)}.", parameterName);
        foreach (var name in names)
        {
            if (!available.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException($"'{name}' is not an {kind} of the model; its {kind}s are {Quote(available)}. ONNX scoring names columns after the model's tensors.", parameterName);
        }
        var repeated = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"The {kind} column '{repeated.Key}' is named more than once.", parameterName);
    }

    private static string Quote(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";
}

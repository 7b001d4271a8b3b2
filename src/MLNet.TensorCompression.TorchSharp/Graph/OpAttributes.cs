using System.Text;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.TorchSharp.Graph;

/// <summary>
/// A node's attributes by name, after references to a calling node's attributes (<c>ref_attr_name</c>) have been
/// resolved, with typed readers that take the ONNX default when an attribute is absent.
/// </summary>
internal sealed class OpAttributes
{
    private readonly Dictionary<string, AttributeProto> byName;

    public OpAttributes(IEnumerable<AttributeProto> attributes)
    {
        byName = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in attributes) byName[attribute.Name] = attribute;
    }

    /// <summary>The attributes, keyed by name.</summary>
    public IReadOnlyDictionary<string, AttributeProto> ByName => byName;

    public bool Has(string name) => byName.ContainsKey(name);

    public long Int(string name, long defaultValue) => byName.TryGetValue(name, out var a) ? a.I : defaultValue;

    public float Float(string name, float defaultValue) => byName.TryGetValue(name, out var a) ? a.F : defaultValue;

    public string String(string name, string defaultValue) =>
        byName.TryGetValue(name, out var a) ? Encoding.UTF8.GetString(a.S.Span) : defaultValue;

    /// <summary>The INTS attribute, or null when absent.</summary>
    public long[]? Ints(string name) => byName.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    /// <summary>The FLOATS attribute, or null when absent.</summary>
    public float[]? Floats(string name) => byName.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    /// <summary>The TENSOR attribute, or null when absent.</summary>
    public TensorProto? Tensor(string name) => byName.TryGetValue(name, out var a) ? a.T : null;
}

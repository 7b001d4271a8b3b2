using System.Text;
using Google.Protobuf;
using MLNet.TensorCompression.Onnx.Protobuf;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;

namespace MLNet.TensorCompression.Emission;

/// <summary>Shorthands for the <see cref="AttributeProto"/> messages the layer ops write.</summary>
internal static class OnnxAttributes
{
    /// <summary>An INT attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    /// <summary>An INTS attribute from int values.</summary>
    public static AttributeProto Ints(string name, IEnumerable<int> values) => Ints(name, values.Select(v => (long)v));

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFrom(value, Encoding.UTF8) };

    /// <summary>Inside a function body: an attribute that takes the value of the caller's attribute <paramref name="callerName"/>.</summary>
    public static AttributeProto Reference(string name, string callerName, AttributeType type) =>
        new() { Name = name, RefAttrName = callerName, Type = type };
}

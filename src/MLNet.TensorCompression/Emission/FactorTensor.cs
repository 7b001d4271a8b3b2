using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// A float32 tensor a factorised op reads as an input (a factor laid out for the op's body, or the bias).
/// </summary>
/// <param name="Role">What the tensor is, e.g. <c>core2</c>: the function's formal input name and the suffix of the initializer's name.</param>
/// <param name="Shape">The shape the body expects.</param>
/// <param name="Data">The values, row-major in <paramref name="Shape"/>.</param>
internal sealed record FactorTensor(string Role, int[] Shape, float[] Data)
{
    /// <summary>Converts double values (as the decompositions store them) to float32.</summary>
    public static FactorTensor FromDoubles(string role, int[] shape, IReadOnlyList<double> values) =>
        new(role, shape, values.Select(v => (float)v).ToArray());

    /// <summary>The initializer holding this tensor under <paramref name="name"/>.</summary>
    public TensorProto ToTensorProto(string name) => FloatTensorProto.Create(name, Shape, Data);
}

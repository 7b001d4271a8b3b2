using System.Globalization;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// Decides the shape of one sample from what an input declares and what the data carries: the declaration rules, the
/// data fills symbolic sizes (H, W, …). Data that carries sizes (.npy, images) must agree with every fixed size; data
/// that carries none (CSV, a flat row) needs every size after the batch axis fixed.
/// </summary>
internal static class SampleShapes
{
    /// <summary>The sample shape (without the batch axis) of data fed to <paramref name="input"/>.</summary>
    /// <param name="input">The input the samples feed; its first axis is the batch axis.</param>
    /// <param name="dataShape">The shape of one sample as the data has it, or null when the data carries none.</param>
    /// <param name="valuesPerSample">Values in one sample, or null when not known yet (CSV, checked per line).</param>
    /// <param name="source">The data, as the error messages name it.</param>
    /// <exception cref="InvalidDataException">The data does not fit the declaration; the message quotes both.</exception>
    public static long[] Resolve(ValueInfoProto input, long[]? dataShape, long? valuesPerSample, string source)
    {
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (dims is null)
            return dataShape ?? throw new InvalidDataException($"{source}: the model input '{input.Name}' declares no shape and the data carries none; give .npy data, whose shape it takes.");
        if (dims.Count < 2)
            throw new InvalidDataException($"The model input '{input.Name}' is declared {Declared(dims)}; calibration needs a batch axis and at least one axis after it.");
        var declared = dims.Skip(1).ToArray();
        bool allFixed = declared.All(d => d.HasDimValue && d.DimValue > 0);
        long[] Fixed() => declared.Select(d => d.DimValue).ToArray();

        if (dataShape is null)
        {
            if (!allFixed)
                throw new InvalidDataException($"{source} carries no sample sizes, and the model input '{input.Name}' is declared {Declared(dims)} with symbolic sizes; give the data as .npy or images, whose sizes fill them.");
            if (valuesPerSample is { } count && count != Product(Fixed()))
                throw new InvalidDataException($"{source}: a sample holds {count} values; the model input '{input.Name}' declared {Declared(dims)} takes {Product(Fixed())}.");
            return Fixed();
        }
        // Same rank, or the data without leading size-1 axes (a grayscale IDX image [28,28] for [N,1,28,28]).
        if (dataShape.Length <= declared.Length)
        {
            var padded = Enumerable.Repeat(1L, declared.Length - dataShape.Length).Concat(dataShape).ToArray();
            int mismatch = -1;
            for (int k = 0; k < declared.Length && mismatch < 0; k++)
                if (declared[k].HasDimValue && declared[k].DimValue > 0 && declared[k].DimValue != padded[k]) mismatch = k;
            if (mismatch < 0)
                return padded;
            if (dataShape.Length == declared.Length && !(allFixed && Product(dataShape) == Product(Fixed())))
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: samples are {Shape(dataShape)}, but the model input '{input.Name}' is declared {Declared(dims)}: axis {mismatch + 1} is fixed at {declared[mismatch].DimValue}, the data has {padded[mismatch]}."));
        }
        // A flat (or otherwise shaped) sample with the right number of values takes the fixed declaration, e.g. [784] for [N,1,28,28].
        if (allFixed && Product(dataShape) == Product(Fixed())) return Fixed();
        throw new InvalidDataException($"{source}: samples are {Shape(dataShape)} ({Product(dataShape)} values), which does not fit the model input '{input.Name}' declared {Declared(dims)}.");
    }

    /// <summary>A declaration as ONNX tools print it, e.g. [N,3,H,W] or [?,1,28,28].</summary>
    public static string Declared(IEnumerable<TensorShapeProto.Types.Dimension> dims) =>
        "[" + string.Join(",", dims.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam.Length > 0 ? d.DimParam : "?")) + "]";

    /// <summary>A shape as [a,b,c].</summary>
    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(",", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]";

    private static long Product(IEnumerable<long> sizes) => sizes.Aggregate(1L, (a, b) => a * b);
}

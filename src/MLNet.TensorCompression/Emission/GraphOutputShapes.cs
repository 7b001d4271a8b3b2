using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;
using Dimension = MLNet.TensorCompression.Onnx.Protobuf.TensorShapeProto.Types.Dimension;

namespace MLNet.TensorCompression.Emission;

/// <summary>
/// Declares the shape of every graph output that has none: ML.NET's ApplyOnnxModel throws a NullReferenceException
/// on such an output (measured with ML.NET 5.0.1), so a compressed model always declares them.
/// </summary>
internal static class GraphOutputShapes
{
    /// <summary>Name of the symbolic dimension given to a measured output's first axis when the model's input batch is symbolic.</summary>
    public const string BatchDimension = "batch";

    /// <summary>Measures the missing shapes with one ONNX Runtime run and writes them into the graph; outputs it cannot measure stay as they are.</summary>
    public static void DeclareMissing(OnnxModel model)
    {
        var missing = model.Graph.Output.Where(o => o.Type?.TensorType?.Shape is null).ToList();
        if (missing.Count == 0) return;
        var measured = ShapeProbe.Measure(model, missing.Select(o => o.Name).ToArray());
        bool batchIsSymbolic = FirstInputHasSymbolicBatch(model.Graph);
        foreach (var output in missing)
        {
            if (!measured.Shapes.TryGetValue(output.Name, out var dims)) continue;
            output.Type ??= new TypeProto();
            output.Type.TensorType ??= new TypeProto.Types.Tensor { ElemType = (int)DataType.Float };
            var shape = new TensorShapeProto();
            for (int axis = 0; axis < dims.Length; axis++)
                shape.Dim.Add(axis == 0 && batchIsSymbolic ? new Dimension { DimParam = BatchDimension } : new Dimension { DimValue = dims[axis] });
            output.Type.TensorType.Shape = shape;
        }
    }

    private static bool FirstInputHasSymbolicBatch(GraphProto graph)
    {
        var first = GraphInputs.Fed(graph).FirstOrDefault()?.Type?.TensorType?.Shape?.Dim.FirstOrDefault();
        return first is not null && first.ValueCase != Dimension.ValueOneofCase.DimValue;
    }
}

using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using DataType = MLNet.TensorCompression.Onnx.Protobuf.TensorProto.Types.DataType;
using ValueCase = MLNet.TensorCompression.Onnx.Protobuf.TensorShapeProto.Types.Dimension.ValueOneofCase;

namespace MLNet.TensorCompression.Finding;

/// <summary>
/// Finds the shapes of intermediate tensors for one sample: from the shapes the model declares when they are fully
/// known, otherwise by running a copy of the model once in ONNX Runtime with the tensors added as graph outputs, fed
/// zeros with every symbolic or unknown dimension (the batch, typically) set to 1.
/// </summary>
internal static class ShapeProbe
{
    /// <summary>Finds the shapes of <paramref name="tensorNames"/>. Never throws for a model that cannot be run: it reports why instead.</summary>
    /// <param name="model">The model; it is not modified.</param>
    /// <param name="tensorNames">Tensors of the main graph (not initializers).</param>
    public static MeasuredShapes Measure(OnnxModel model, IReadOnlyCollection<string> tensorNames)
    {
        var graph = model.Graph;
        var declared = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            declared.TryAdd(value.Name, value);
        }

        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var name in tensorNames)
        {
            if (declared.TryGetValue(name, out var value) && value.Type?.TensorType?.Shape is { } shape && shape.Dim.All(IsFixed))
            {
                shapes[name] = shape.Dim.Select(dimension => dimension.DimValue).ToArray();
            }
        }

        var toRun = tensorNames.Where(name => !shapes.ContainsKey(name)).Distinct(StringComparer.Ordinal).ToList();
        if (toRun.Count == 0)
        {
            return new MeasuredShapes(shapes, null);
        }

        var feeds = new List<(string Name, long[] Shape)>();
        foreach (var input in GraphInputs.Fed(graph))
        {
            var problem = FeedProblem(input);
            if (problem is not null)
            {
                return new MeasuredShapes(shapes, problem);
            }

            var feedShape = input.Type.TensorType.Shape.Dim.Select(dimension => IsFixed(dimension) ? dimension.DimValue : 1L).ToArray();
            feeds.Add((input.Name, feedShape));
            if (toRun.Remove(input.Name))
            {
                shapes[input.Name] = feedShape;
            }
        }

        if (toRun.Count == 0)
        {
            return new MeasuredShapes(shapes, null);
        }

        try
        {
            var measured = Run(model, feeds, toRun, declared);
            for (var i = 0; i < toRun.Count; i++)
            {
                shapes[toRun[i]] = measured[i];
            }

            return new MeasuredShapes(shapes, null);
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or OnnxModelException)
        {
            return new MeasuredShapes(shapes, $"the model could not be run to measure its shapes: {exception.Message}");
        }
    }

    private static long[][] Run(OnnxModel model, List<(string Name, long[] Shape)> feeds, List<string> outputNames, Dictionary<string, ValueInfoProto> declared)
    {
        var probe = model.Clone();
        var existingOutputs = probe.Graph.Output.Select(output => output.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in outputNames.Where(name => !existingOutputs.Contains(name)))
        {
            // ONNX Runtime needs only the element type of an extra output; the layers measured here are FLOAT.
            var elementType = declared.GetValueOrDefault(name)?.Type?.TensorType?.ElemType ?? (int)DataType.Float;
            probe.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } },
            });
        }

        using var options = new SessionOptions
        {
            // One run on zeros: optimising would cost more than it saves, and the machine may be busy.
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            IntraOpNumThreads = 1,
            // A failure is reported through the exception; the native log would only repeat it on stderr.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        using var session = new InferenceSession(probe.ToBytes(), options);
        var inputValues = feeds
            .Select(feed => OrtValue.CreateTensorValueFromMemory(new float[feed.Shape.Aggregate(1L, (count, size) => count * size)], feed.Shape))
            .ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, feeds.Select(feed => feed.Name).ToArray(), inputValues, outputNames);
            return outputs.Select(output => output.GetTensorTypeAndShape().Shape).ToArray();
        }
        finally
        {
            foreach (var value in inputValues)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Why a graph input cannot be fed zeros, or null when it can.</summary>
    private static string? FeedProblem(ValueInfoProto input)
    {
        if (input.Type?.TensorType is not { } tensor)
        {
            return $"graph input '{input.Name}' is not a tensor";
        }

        if (tensor.ElemType != (int)DataType.Float)
        {
            return $"graph input '{input.Name}' has element type {ElementTypeNames.Of(tensor.ElemType)}; the shape probe feeds only FLOAT inputs";
        }

        return tensor.Shape is null ? $"graph input '{input.Name}' has no declared rank" : null;
    }

    private static bool IsFixed(TensorShapeProto.Types.Dimension dimension) =>
        dimension.ValueCase == ValueCase.DimValue && dimension.DimValue >= 0;
}

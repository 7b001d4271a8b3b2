using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>Scores single-input, single-output float models with ONNX Runtime and measures how close two outputs are.</summary>
internal static class LayerScoring
{
    /// <summary>The output's values and shape.</summary>
    public static (float[] Values, long[] Shape) Run(ModelProto model, float[] input, long[] inputShape) => Run(model.ToByteArray(), input, inputShape, null);

    /// <summary>
    /// Scores <paramref name="model"/> and, when <paramref name="optimizedModelPath"/> is given, makes ONNX Runtime write
    /// the model as it runs it (basic optimizations: constant folding and function inlining, no hardware-specific fusions).
    /// </summary>
    public static (float[] Values, long[] Shape) Run(byte[] model, float[] input, long[] inputShape, string? optimizedModelPath)
    {
        using var options = new SessionOptions();
        if (optimizedModelPath is not null)
        {
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC;
            options.OptimizedModelFilePath = optimizedModelPath;
        }
        using var session = new InferenceSession(model, options);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames.Single()], [inputValue], [session.OutputNames.Single()]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    /// <summary>‖actual − expected‖ / ‖expected‖, in double.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = (double)actual[i] - expected[i];
            difference += e * e;
            norm += (double)expected[i] * expected[i];
        }
        return Math.Sqrt(difference / norm);
    }

    /// <summary>Values in [−1, 1) from a seeded generator.</summary>
    public static float[] Input(int seed, long count)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }
}

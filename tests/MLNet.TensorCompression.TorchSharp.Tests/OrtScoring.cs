using Microsoft.ML.OnnxRuntime;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Runs a single-input, single-output float model through ONNX Runtime.</summary>
internal static class OrtScoring
{
    /// <summary>Scores a model given as bytes (its data must be embedded).</summary>
    public static float[] Run(byte[] model, float[] input, long[] inputShape)
    {
        using var session = new InferenceSession(model);
        return Run(session, input, inputShape);
    }

    /// <summary>Scores a model file; ONNX Runtime reads external data relative to the file.</summary>
    public static float[] Run(string modelPath, float[] input, long[] inputShape)
    {
        using var session = new InferenceSession(modelPath);
        return Run(session, input, inputShape);
    }

    private static float[] Run(InferenceSession session, float[] input, long[] inputShape)
    {
        var inputName = session.InputNames.Single();
        var outputName = session.OutputNames.Single();
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [inputValue], [outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}

using Microsoft.ML.OnnxRuntime;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Cli;

/// <summary>
/// A preprocessing ONNX model (e.g. ML.NET's <c>ResNetPreprocess.onnx</c>: RGB→BGR minus a mean image) that ONNX Runtime
/// runs on each image's raw pixels (0–255) to make the compressed model's inputs, one image at a time (so a fixed batch
/// size of 1 works, and a model without a batch axis too).
/// </summary>
internal static class PreprocessingModel
{
    /// <summary>The spatial size the preprocessing model's input declares for images of <paramref name="options"/>' layout, when fixed.</summary>
    public static (int Height, int Width)? DeclaredImageSize(OnnxModel model, ImageOptions options) =>
        SpatialSize(Input(model, "the preprocessing model").Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : 0).ToArray(), options);

    /// <summary>The fixed H and W of a declaration whose last three axes are [C,H,W] (or [H,W,C] for nhwc), else null.</summary>
    public static (int Height, int Width)? SpatialSize(long[]? dims, ImageOptions options)
    {
        if (dims is null || dims.Length < 3) return null;
        long height = options.ChannelsLast ? dims[^3] : dims[^2], width = options.ChannelsLast ? dims[^2] : dims[^1];
        return height > 0 && width > 0 ? ((int)height, (int)width) : null;
    }

    /// <summary>Runs <paramref name="path"/> on each sample of <paramref name="pixels"/> and returns its first output, sample after sample, with the shape of one.</summary>
    /// <exception cref="InvalidDataException">The model's input cannot take the images, or its outputs differ in shape between images.</exception>
    public static (float[] Values, long[] SampleShape) Apply(string path, OnnxModel model, float[] pixels, long[] imageShape)
    {
        var input = Input(model, $"--preprocess '{path}'");
        var dims = input.Type?.TensorType?.Shape?.Dim;
        long imageSize = imageShape.Aggregate(1L, (a, b) => a * b);
        // With a batch axis (one more axis than an image), images go in one at a time; without one, as they are.
        bool batched = dims is null || dims.Count == imageShape.Length + 1;
        long[] feedShape = batched
            ? [1, .. SampleShapes.Resolve(input, imageShape, imageSize, $"The images for --preprocess '{path}'")]
            : dims!.Count == imageShape.Length ? imageShape
            : throw new InvalidDataException($"--preprocess '{path}': its input '{input.Name}' is declared {SampleShapes.Declared(dims)}, which takes neither an image {SampleShapes.Shape(imageShape)} nor a batch of them.");

        using var session = new InferenceSession(model.ToBytes());
        using var runOptions = new RunOptions();
        var outputName = session.OutputNames[0];
        int count = (int)(pixels.LongLength / imageSize);
        float[]? values = null;
        long[]? sampleShape = null;
        long sampleSize = 0;
        for (int i = 0; i < count; i++)
        {
            using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels.AsMemory((int)(i * imageSize), (int)imageSize), feedShape);
            using var results = session.Run(runOptions, [input.Name], [value], [outputName]);
            var shape = results[0].GetTensorTypeAndShape().Shape;
            var output = results[0].GetTensorDataAsSpan<float>();
            var oneSample = batched && shape.Length > 1 && shape[0] == 1 ? shape[1..] : shape;
            if (sampleShape is null)
            {
                sampleShape = oneSample;
                sampleSize = output.Length;
                values = new float[sampleSize * count];
            }
            else if (!sampleShape.SequenceEqual(oneSample))
                throw new InvalidDataException($"--preprocess '{path}': its output '{outputName}' is {SampleShapes.Shape(oneSample)} for image {i} but {SampleShapes.Shape(sampleShape)} for image 0.");
            output.CopyTo(values.AsSpan((int)(i * sampleSize)));
        }
        return (values!, sampleShape!);
    }

    private static Onnx.Protobuf.ValueInfoProto Input(OnnxModel model, string what)
    {
        var inputs = GraphInputs.Fed(model.Graph);
        return inputs.Length == 1 ? inputs[0]
            : throw new InvalidDataException($"{what} has {inputs.Length} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); a preprocessing model takes one, the image.");
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace TransferLearningResNet18;

/// <summary>
/// ML.NET's pretrained ResNet-18 featurizer as the package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> ships it —
/// <c>DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx</c> (RGB → BGR, minus a mean image) and
/// <c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c> (a CNTK export: opset 8, one image per run) in the build output —
/// and the image half of the transfer-learning pipeline: resize → pixels → preprocessing model, giving the column the
/// featurizer reads.
/// </summary>
/// <param name="ModelPath">ResNet18.onnx in the build output.</param>
/// <param name="PreprocessPath">ResNetPreprocess.onnx in the build output.</param>
/// <param name="InputName">The featurizer's input tensor (and the column holding it): the preprocessed image [1,3,224,224].</param>
/// <param name="OutputName">The featurizer's output tensor (and the column of features): [1,512,1,1].</param>
/// <param name="PreprocessInput">The preprocessing model's input: planar RGB pixels, 0–255.</param>
/// <param name="PreprocessOutput">The preprocessing model's output.</param>
internal sealed record Featurizer(string ModelPath, string PreprocessPath, string InputName, string OutputName, string PreprocessInput, string PreprocessOutput)
{
    public const int ImageSide = 224;

    /// <summary>Finds the two models where the package's build step copied them and reads their tensor names.</summary>
    public static Featurizer Find()
    {
        string models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string model = Path.Combine(models, "ResNet18Onnx", "ResNet18.onnx"), preprocess = Path.Combine(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        foreach (string path in new[] { model, preprocess })
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path} is missing: it comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18, copied at build time; build the sample with `dotnet build`.", path);
        using var modelSession = new InferenceSession(model);
        using var preprocessSession = new InferenceSession(preprocess);
        return new Featurizer(model, preprocess, modelSession.InputNames.Single(), modelSession.OutputNames.Single(),
            preprocessSession.InputNames.Single(), preprocessSession.OutputNames.Single());
    }

    /// <summary>
    /// Photos → the featurizer's input column: resize to 224×224, extract planar RGB pixels (0–255, ML.NET's defaults),
    /// run the preprocessing model, and name its output after the featurizer's input.
    /// </summary>
    public IEstimator<ITransformer> ImagePreparation(MLContext mlContext) =>
        mlContext.Transforms.ResizeImages("Image", ImageSide, ImageSide)
            .Append(mlContext.Transforms.ExtractPixels(PreprocessInput, "Image"))
            .Append(mlContext.Transforms.ApplyOnnxModel(PreprocessOutput, PreprocessInput, PreprocessPath))
            .Append(mlContext.Transforms.CopyColumns(InputName, PreprocessOutput));
}

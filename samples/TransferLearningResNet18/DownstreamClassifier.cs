using Microsoft.ML;

namespace TransferLearningResNet18;

/// <summary>
/// The trainer half of the transfer-learning pipeline: a multiclass classifier (L-BFGS maximum entropy on normalised
/// features) trained on one featurizer's training features and scored on its test features with ML.NET's evaluator.
/// </summary>
internal static class DownstreamClassifier
{
    /// <summary>Test-set micro accuracy of a classifier trained on <paramref name="training"/>.</summary>
    public static double Accuracy(MLContext mlContext, FeatureSet training, FeatureSet test)
    {
        var trainer = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.NormalizeMinMax("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"));
        var model = trainer.Fit(training.ToDataView(mlContext));
        return mlContext.MulticlassClassification.Evaluate(model.Transform(test.ToDataView(mlContext))).MicroAccuracy;
    }
}

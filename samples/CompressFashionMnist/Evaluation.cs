using Microsoft.ML;
using Microsoft.ML.Data;

namespace CompressFashionMnist;

/// <summary>ML.NET's multiclass metrics of a scorer that produces the sample models' <c>logits</c> column.</summary>
internal static class Evaluation
{
    private const int Classes = 10;

    private sealed class Logits
    {
        // ML.NET types the model output as Vector<Single, 1, 10> (the batch axis becomes 1); a 10-vector reads it.
        [ColumnName("logits")]
        [VectorType(Classes)]
        public float[] Values { get; set; } = [];
    }

    private sealed class Prediction
    {
        [VectorType(Classes)]
        public float[] Score { get; set; } = [];

        [KeyType(Classes)]
        public uint PredictedLabel { get; set; }
    }

    /// <summary>Scores <paramref name="data"/> with <paramref name="scorer"/> and evaluates against its float <c>Label</c> column.</summary>
    public static MulticlassClassificationMetrics Evaluate(MLContext mlContext, ITransformer scorer, IDataView data)
    {
        var logits = scorer.Transform(data);
        var scored = mlContext.Transforms.CustomMapping<Logits, Prediction>(ToPrediction, contractName: null).Fit(logits).Transform(logits);
        return mlContext.MulticlassClassification.Evaluate(scored, labelColumnName: nameof(FashionImage.Label));
    }

    // The evaluator wants a Score vector and a key-typed PredictedLabel. The models end in raw logits, and the evaluator's
    // log-loss is -log(Score[label]), so Score must hold probabilities: apply the softmax the models leave out.
    private static void ToPrediction(Logits logits, Prediction prediction)
    {
        var values = logits.Values;
        int best = 0;
        for (int k = 1; k < values.Length; k++)
            if (values[k] > values[best]) best = k;
        var probabilities = new float[values.Length];
        double sum = 0;
        for (int k = 0; k < values.Length; k++)
            sum += probabilities[k] = MathF.Exp(values[k] - values[best]); // shifted by the maximum so Exp cannot overflow
        for (int k = 0; k < values.Length; k++)
            probabilities[k] = (float)(probabilities[k] / sum);
        prediction.Score = probabilities;
        prediction.PredictedLabel = (uint)best + 1; // keys count from 1; key 1 is class 0
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace TransferLearningResNet18;

/// <summary>The 512 features a featurizer gave each photo of a set, with the photos' labels.</summary>
internal sealed class FeatureSet
{
    private FeatureSet(float[][] features, float[] labels)
    {
        Features = features;
        Labels = labels;
    }

    public float[][] Features { get; }

    public float[] Labels { get; }

    /// <summary>Runs <paramref name="featurizer"/> (a fitted pipeline ending in the features column) over <paramref name="photos"/>.</summary>
    public static FeatureSet Extract(MLContext mlContext, ITransformer featurizer, string featureColumn, Photo[] photos)
    {
        var scored = featurizer.Transform(mlContext.Data.LoadFromEnumerable(photos));
        var features = scored.GetColumn<VBuffer<float>>(featureColumn).Select(v => v.DenseValues().ToArray()).ToArray();
        return new FeatureSet(features, photos.Select(p => p.Label).ToArray());
    }

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public FeatureSet Take(int count) => new(Features[..count], Labels[..count]);

    /// <summary>The rows from <paramref name="start"/> on.</summary>
    public FeatureSet Skip(int start) => new(Features[start..], Labels[start..]);

    /// <summary>Mean cosine similarity of each row's features with the same row's in <paramref name="reference"/>.</summary>
    public double MeanCosine(FeatureSet reference) =>
        Features.Zip(reference.Features, Cosine).Average();

    /// <summary>The rows as an ML.NET data view with columns Features (a vector as wide as the features) and Label.</summary>
    public IDataView ToDataView(MLContext mlContext)
    {
        int width = Features[0].Length;
        var schema = SchemaDefinition.Create(typeof(LabelledFeatures));
        schema[nameof(LabelledFeatures.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return mlContext.Data.LoadFromEnumerable(Features.Zip(Labels, (f, l) => new LabelledFeatures { Features = f, Label = l }), schema);
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(aa * bb);
    }

    private sealed class LabelledFeatures
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}

using MLNet.TensorCompression.Tests.MLNet;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>The committed Fashion-MNIST subsets (read by the core suite's <see cref="FashionImages"/>) in the forms training takes.</summary>
internal static class FashionSubset
{
    public static (CalibrationSet Samples, int[] Labels) Training(int count) => Samples(FashionImages.TakeTraining(count));

    public static (CalibrationSet Samples, int[] Labels) Test(int count) => Samples(FashionImages.Take(count));

    /// <summary>The first <paramref name="count"/> test images as one batch, with its shape [count, 1, 28, 28].</summary>
    public static (float[] Pixels, long[] Shape) TestBatch(int count) => (FashionImages.Pixels(count), [count, 1, 28, 28]);

    /// <summary>The classes of the first <paramref name="count"/> test images, as torch's int64 labels.</summary>
    public static long[] TestLabels(int count) => FashionImages.Take(count).Select(image => (long)image.Label).ToArray();

    private static (CalibrationSet, int[]) Samples(FashionImage[] images) =>
        (new CalibrationSet("input", [1, 28, 28], images.SelectMany(image => image.Input).ToArray()), images.Select(image => (int)image.Label).ToArray());
}

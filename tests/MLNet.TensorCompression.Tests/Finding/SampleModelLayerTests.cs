using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Finding;

/// <summary>The layers found in the trained sample models; inconclusive while a model is not checked in.</summary>
[TestClass]
public sealed class SampleModelLayerTests
{
    [TestMethod]
    public void LeNetHasTwoConvolutionsAndThreeGemms()
    {
        AssertLayers(
            "lenet5-fashion.onnx",
            totalParameters: 61_706,
            ("/conv1/Conv", "Conv", [6, 1, 5, 5], 28 * 28),
            ("/conv2/Conv", "Conv", [16, 6, 5, 5], 10 * 10),
            ("/fc1/Gemm", "Gemm", [120, 400], 1),
            ("/fc2/Gemm", "Gemm", [84, 120], 1),
            ("/fc3/Gemm", "Gemm", [10, 84], 1));
    }

    [TestMethod]
    public void VggHasFourConvolutionsAndThreeGemms()
    {
        AssertLayers(
            "vgg-fashion.onnx",
            totalParameters: 3_719_818,
            ("/features/features.0/Conv", "Conv", [32, 1, 3, 3], 28 * 28),
            ("/features/features.2/Conv", "Conv", [64, 32, 3, 3], 28 * 28),
            ("/features/features.5/Conv", "Conv", [128, 64, 3, 3], 14 * 14),
            ("/features/features.7/Conv", "Conv", [128, 128, 3, 3], 14 * 14),
            ("/classifier/classifier.0/Gemm", "Gemm", [512, 128 * 7 * 7], 1),
            ("/classifier/classifier.3/Gemm", "Gemm", [512, 512], 1),
            ("/classifier/classifier.6/Gemm", "Gemm", [10, 512], 1));
    }

    private static void AssertLayers(string fileName, long totalParameters, params (string Name, string OpType, int[] Shape, long Applications)[] expected)
    {
        var path = TestModels.Path(fileName);
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"Sample model '{path}' is not checked in.");
        }

        var scan = LayerFinder.Find(OnnxModel.Load(path));

        Assert.IsEmpty(scan.Skipped);
        Assert.IsNull(scan.ShapeProbeFailure);
        Assert.HasCount(expected.Length, scan.Layers);
        for (var i = 0; i < expected.Length; i++)
        {
            var layer = scan.Layers[i];
            Assert.AreEqual(expected[i].Name, layer.Name);
            Assert.AreEqual(expected[i].OpType, layer.OpType, layer.Name);
            CollectionAssert.AreEqual(expected[i].Shape, layer.Weight.Shape.ToArray(), layer.Name);
            Assert.AreEqual(expected[i].Applications, layer.ApplicationsPerSample, layer.Name);
            Assert.AreEqual(layer.OutputSize, layer.Bias?.Length, layer.Name);
        }

        // Every parameter of these models belongs to a compressible layer.
        Assert.AreEqual(totalParameters, scan.Layers.Sum(layer => layer.WeightCount + layer.Bias!.Length));
    }
}

using System.Text.Json;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;

namespace MLNet.TensorCompression.Tests.Samples;

/// <summary>
/// The committed sample models, scored by ONNX Runtime on the committed 2,000-image test subset, reach the accuracy
/// the training script recorded for them (PyTorch, same images): the models and data are what the README says.
/// </summary>
[TestClass]
public sealed class SampleModelAccuracyTests
{
    [TestMethod]
    [DataRow("lenet5-fashion.onnx", 0.88)]
    [DataRow("vgg-fashion.onnx", 0.90)]
    public void SampleModelReachesItsRecordedAccuracy(string model, double minimumAccuracy)
    {
        var (pixels, count, rows, columns) = IdxFile.ReadImages(SampleData.Path("fashion-test-2000-images.idx3-ubyte"));
        var labels = IdxFile.ReadLabels(SampleData.Path("fashion-test-2000-labels.idx1-ubyte"));
        Assert.AreEqual(2000, count);
        Assert.AreEqual(count, labels.Length);

        double accuracy = ClassifierAccuracy.Measure(OnnxModel.Load(TestModels.Path(model)), new CalibrationSet("input", [1, rows, columns], pixels), labels);

        using var recorded = JsonDocument.Parse(File.ReadAllText(TestModels.Path("accuracy.json")));
        double expected = recorded.RootElement.GetProperty(model).GetProperty("subset_test_accuracy").GetDouble();
        Assert.AreEqual(expected, accuracy, 0.002, "ONNX Runtime reproduces PyTorch's accuracy on the subset");
        Assert.IsGreaterThanOrEqualTo(minimumAccuracy, accuracy);
    }

    [TestMethod]
    public void IdxReaderRejectsFilesOfTheWrongKind()
    {
        var labels = SampleData.Path("fashion-test-2000-labels.idx1-ubyte");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxFile.ReadImages(labels));
        Assert.Contains("magic number 0x00000801", error.Message);
        Assert.Contains(labels, error.Message);
    }
}

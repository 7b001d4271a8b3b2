using Microsoft.ML;
using MLNet.TensorCompression.Cli;
using MLNet.TensorCompression.DataViews;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Tests.MLNet;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Reliability;

/// <summary>Issue 13 item 1: NaN or infinity in calibration data is an error naming the row and column, never a silent data-free result.</summary>
[TestClass]
public sealed class CalibrationDataTests
{
    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void ACalibrationSetNamesTheSampleAndValue(float bad)
    {
        var data = new float[3 * 4];
        data[2 * 4 + 1] = bad;

        var problem = Assert.ThrowsExactly<ArgumentException>(() => new CalibrationSet("x", [4], data));

        StringAssert.Contains(problem.Message, $"input 'x': sample 2, value 1 is {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    [TestMethod]
    public void CompressHybridNamesTheRowAndColumn()
    {
        var mlContext = new MLContext();
        var images = FashionImages.Take(20).Select(image => new FashionImage { Input = (float[])image.Input.Clone(), Label = image.Label }).ToArray();
        images[13].Input[400] = float.PositiveInfinity;
        var estimator = mlContext.Transforms.CompressHybrid(TestModels.Path("lenet5-fashion.onnx"), new HybridCompressionOptions { CalibrationRows = 20 });

        var problem = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(mlContext.Data.LoadFromEnumerable(images)));

        StringAssert.Contains(problem.Message, "Row 13 of column 'input' holds Infinity at index 400");
    }

    [TestMethod]
    public void SweepCalibrationNamesTheFileLineAndField()
    {
        using var directory = new TemporaryDirectory();
        var model = TinyModels.Write(TinyModels.Classifier(), directory.File("tiny.onnx"));
        var data = TinyModels.Csv(directory.File("test.csv"), 12);
        var calibration = TinyModels.Csv(directory.File("calibration.csv"), 12, (row, fields) => { if (row == 7) fields[5] = "NaN"; return fields; });
        using var output = new StringWriter();
        using var error = new StringWriter();

        int code = CommandLineTool.Run(["sweep", model, "--data", data, "--calibration", calibration, "--ratios", "2", "--quiet"], output, error);

        Assert.AreEqual(1, code);
        Assert.AreEqual($"mlnet-compress: {calibration}, line 8, field 6: 'NaN' is not a finite number; remove or repair the row.", error.ToString().Trim());
    }
}

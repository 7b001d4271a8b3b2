using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Compression;
using MLNet.TensorCompression.Tests.Finding;
using MLNet.TensorCompression.Tests.Onnx;

namespace MLNet.TensorCompression.Tests.Exports;

/// <summary>
/// A fixed batch size (ML.NET's ResNet-18 featurizer declares [1,3,224,224]): capture, fit and score feed batches of
/// exactly that size — row by row for 1, padded last batches otherwise — and fit the same layers as a symbolic batch.
/// Samples the input cannot take are refused with its declaration before any work.
/// </summary>
[TestClass]
public sealed class FixedBatchTests
{
    private const int Samples = 7;

    [TestMethod]
    public void FixedBatchModelsFitLikeASymbolicBatch()
    {
        var options = ExportModels.FullRank();
        options.MaxRank = 1;
        var refit = new RefitOptions { Steps = 20, AllocationSamples = Samples };
        var calibration = new CalibrationSet("x", ExportModels.InputShape(1)[1..], ExportModels.Input(Samples, seed: 31));
        var symbolic = OnnxModelCompressor.Compress(ExportModels.ConvGemm(batch: TestGraph.Batch), options, calibration, refit);
        var input = ExportModels.Input(4, seed: 32);
        var expected = OrtScoring.Run(symbolic.Model.ToBytes(), input, ExportModels.InputShape(4));
        var dataFree = OrtScoring.Run(OnnxModelCompressor.Compress(ExportModels.ConvGemm(batch: TestGraph.Batch), options).Model.ToBytes(), input, ExportModels.InputShape(4));
        Assert.IsGreaterThan(1e-3, OnnxModelCompressorTests.RelativeDistance(dataFree, expected), "the re-fit changed the factors, so agreeing below tells");
        foreach (int batch in new[] { 1, 4 })
        {
            var result = OnnxModelCompressor.Compress(ExportModels.ConvGemm(batch: batch), options, calibration, refit);
            var actual = batch == 4
                ? OrtScoring.Run(result.Model.ToBytes(), input, ExportModels.InputShape(4))
                : Enumerable.Range(0, 4).SelectMany(row => OrtScoring.Run(result.Model.ToBytes(), input.AsSpan(row * input.Length / 4, input.Length / 4).ToArray(), ExportModels.InputShape(1))).ToArray();
            Assert.IsLessThan(1e-4, OnnxModelCompressorTests.RelativeDistance(expected, actual), $"fixed batch {batch} fits like the symbolic batch");
        }
    }

    [TestMethod]
    public void SamplesTheInputCannotTakeAreRefusedWithItsDeclaration()
    {
        var model = ExportModels.ConvGemm(batch: 1);
        var wrongShape = new CalibrationSet("x", [ExportModels.Channels, 5, 5], new float[2 * ExportModels.Channels * 25]);
        var shapeError = Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(model, ExportModels.FullRank(), wrongShape));
        StringAssert.Contains(shapeError.Message, "'x' is declared [1,4,6,6]");
        StringAssert.Contains(shapeError.Message, "[4,5,5]");

        var wrongRank = new CalibrationSet("x", [ExportModels.Channels * 36], new float[2 * ExportModels.Channels * 36]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(model, ExportModels.FullRank(), wrongRank)).Message, "rank 4");

        var integers = ExportModels.ConvGemm();
        integers.Graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int64;
        var calibration = new CalibrationSet("x", ExportModels.InputShape(1)[1..], ExportModels.Input(2));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => OnnxModelCompressor.Compress(integers, ExportModels.FullRank(), calibration)).Message, "INT64");
    }
}

using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;

namespace MLNet.TensorCompression.Tests.Fuzzing;

/// <summary>Cases the fuzzer found, kept as plain tests.</summary>
[TestClass]
public sealed class FuzzRegressionTests
{
    private static OnnxModel LeNet() => OnnxModel.Load(TestModels.Path("lenet5-fashion.onnx"));

    /// <summary>Fuzz seed 159: a bias whose declared size overflowed a long made the finder throw OverflowException while sizing the skipped layer.</summary>
    [TestMethod]
    public void AnInitializerSizeOverflowingALongIsAnOnnxModelExceptionNamingTheTensor()
    {
        var model = LeNet();
        model.Graph.Initializer.Single(t => t.Name == "fc3.bias").Dims[0] = long.MaxValue;

        var exception = Assert.ThrowsExactly<OnnxModelException>(() => LayerFinder.Find(model));
        StringAssert.Contains(exception.Message, "fc3.bias");
    }

    /// <summary>A float initializer no node reads, declared too large to count: the parameter total must not overflow.</summary>
    [TestMethod]
    public void AnUnusedInitializerTooLargeToCountIsAnOnnxModelExceptionNamingTheTensor()
    {
        var model = LeNet();
        model.Graph.Initializer.Add(new TensorProto { Name = "fuzz_orphan", DataType = (int)TensorProto.Types.DataType.Float, Dims = { long.MaxValue, 2 } });

        var exception = Assert.ThrowsExactly<OnnxModelException>(() => OnnxModelCompressor.Compress(model, FuzzCase.Options()));
        StringAssert.Contains(exception.Message, "fuzz_orphan");
    }

    /// <summary>A negative declared size is named rather than counted as negative parameters.</summary>
    [TestMethod]
    public void ANegativeInitializerSizeIsAnOnnxModelExceptionNamingTheTensor()
    {
        var model = LeNet();
        model.Graph.Initializer.Add(new TensorProto { Name = "fuzz_negative", DataType = (int)TensorProto.Types.DataType.Float, Dims = { -1 } });

        var exception = Assert.ThrowsExactly<OnnxModelException>(() => model.ParameterCount);
        StringAssert.Contains(exception.Message, "fuzz_negative");
    }
}

using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;
using static MLNet.TensorCompression.Tests.Finding.TestGraph;
using static MLNet.TensorCompression.TorchSharp.Tests.TinyModels;
using AttributeType = MLNet.TensorCompression.Onnx.Protobuf.AttributeProto.Types.AttributeType;

namespace MLNet.TensorCompression.TorchSharp.Tests;

/// <summary>Each supported op, in the forms the sample models do not use, gives ONNX Runtime's result on a tiny model.</summary>
[TestClass]
public sealed class OpKernelTests
{
    private static void AssertAgrees(ModelProto model, long[] inputShape, string what) =>
        GraphAgreement.AssertAgrees(new OnnxModel(model), RandomInput(inputShape), inputShape, what);

    [TestMethod]
    [DataRow("NOTSET")]
    [DataRow("VALID")]
    [DataRow("SAME_UPPER")]
    [DataRow("SAME_LOWER")]
    public void ConvWithAsymmetricPadsStridesDilationsAndGroups(string autoPad)
    {
        long[] shape = [2, 4, 9, 10];
        var attributes = new List<AttributeProto> { Ints("strides", 2, 1), Int("group", 2), String("auto_pad", autoPad) };
        if (autoPad == "NOTSET") attributes.Add(Ints("pads", 1, 0, 0, 2));
        // ONNX Runtime has no dilated SAME convolution.
        if (!autoPad.StartsWith("SAME", StringComparison.Ordinal)) attributes.Add(Ints("dilations", 1, 2));
        AssertAgrees(Model(11, shape, [Node("Conv", ["x", "w", "b"], ["y"], [.. attributes])], [RandomFloats("w", 1, 6, 2, 3, 3), RandomFloats("b", 2, 6)]), shape, autoPad);
    }

    [TestMethod]
    public void Conv1dWithoutBias()
    {
        long[] shape = [2, 3, 11];
        AssertAgrees(Model(13, shape, [Node("Conv", ["x", "w"], ["y"], Ints("pads", 2, 1), Ints("strides", 2))], [RandomFloats("w", 3, 4, 3, 4)]), shape, "conv1d");
    }

    [TestMethod]
    [DataRow(0L, 0L)]
    [DataRow(1L, 0L)]
    [DataRow(0L, 1L)]
    [DataRow(1L, 1L)]
    public void PoolingWithPadsAndCeilMode(long ceilMode, long countIncludePad)
    {
        long[] shape = [2, 3, 9, 8];
        AssertAgrees(Model(11, shape,
        [
            Node("MaxPool", ["x"], ["m"], Ints("kernel_shape", 3, 2), Ints("strides", 2, 2), Ints("pads", 1, 0, 2, 1), Int("ceil_mode", ceilMode)),
            Node("AveragePool", ["m"], ["a"], Ints("kernel_shape", 2, 2), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", countIncludePad)),
            Node("AveragePool", ["a"], ["y"], Ints("kernel_shape", 2, 3), Ints("pads", 0, 2, 1, 0), Int("count_include_pad", countIncludePad)),
        ]), shape, $"ceil {ceilMode} count_include_pad {countIncludePad}");
    }

    [TestMethod]
    [DataRow(11L)]
    [DataRow(13L)]
    public void NormalizationActivationsAndSoftmax(long opset)
    {
        long[] shape = [2, 3, 4, 5];
        AssertAgrees(Model(opset, shape,
        [
            Node("BatchNormalization", ["x", "s", "bb", "mean", "var"], ["n"], Float("epsilon", 1e-3f)),
            Node("LeakyRelu", ["n"], ["l"], Float("alpha", 0.2f)),
            Node("Sigmoid", ["l"], ["g"]),
            Node("Tanh", ["n"], ["t"]),
            Node("Add", ["g", "t"], ["s1"]),
            Node("Clip", ["s1", "lo", "hi"], ["c"]),
            Node("Softmax", ["c"], ["y"], Int("axis", 2)),
        ],
        [
            RandomFloats("s", 1, 3), RandomFloats("bb", 2, 3), RandomFloats("mean", 3, 3),
            FloatTensorProto.Create("var", [3], [0.5f, 1f, 2f]),
            FloatTensorProto.Create("lo", Array.Empty<long>(), [-0.5f]), FloatTensorProto.Create("hi", Array.Empty<long>(), [0.8f]),
        ]), shape, $"opset {opset}");
    }

    [TestMethod]
    public void ClipWithAttributesBeforeOpset11()
    {
        long[] shape = [2, 5];
        AssertAgrees(Model(6, shape, [Node("Clip", ["x"], ["y"], Float("min", -0.3f), Float("max", 1.1f))]), shape, "Clip-6");
    }

    [TestMethod]
    public void GemmWithTransposesAlphaBetaAndMatMulArithmetic()
    {
        long[] shape = [4, 6];
        AssertAgrees(Model(13, shape,
        [
            Node("Gemm", ["x", "w", "c"], ["g"], Int("transA", 1), Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f)),
            Node("Gemm", ["g", "w2"], ["h"], Float("alpha", 1.5f)),
            Node("MatMul", ["h", "m"], ["p"]),
            Node("Sub", ["p", "c2"], ["q"]),
            Node("Mul", ["q", "c2"], ["r"]),
            Node("Div", ["r", "d"], ["y"]),
        ],
        [
            RandomFloats("w", 1, 5, 4), RandomFloats("c", 2, 5), RandomFloats("w2", 3, 5, 3), RandomFloats("m", 4, 3, 7),
            RandomFloats("c2", 5, 7), FloatTensorProto.Create("d", [1], [1.7f]),
        ]), shape, "Gemm");
    }

    [TestMethod]
    public void ShapeArithmeticFromShapeSliceConcatReshapeAndTile()
    {
        long[] shape = [2, 3, 4, 5];
        AssertAgrees(Model(15, shape,
        [
            Node("Shape", ["x"], ["sh"], Int("start", 1), Int("end", -1)),
            Node("Slice", ["sh", "zero", "one"], ["c"]),
            Node("Concat", ["zero_dim", "c", "minus_one"], ["target"], Int("axis", 0)),
            Node("Reshape", ["x", "target"], ["r"]),
            Node("Transpose", ["r"], ["t"], Ints("perm", 0, 2, 1)),
            Node("Slice", ["t", "starts", "ends", "axes", "steps"], ["s"]),
            Node("Tile", ["s", "repeats"], ["tiled"]),
            Node("Flatten", ["tiled"], ["f"], Int("axis", 2)),
            Node("Unsqueeze", ["f", "axes2"], ["u"]),
            Node("Squeeze", ["u", "axes2"], ["q"]),
            Node("Dropout", ["q"], ["d"]),
            Node("Identity", ["d"], ["y"]),
        ],
        [
            Int64s("zero", 0), Int64s("one", 1), Int64s("zero_dim", 0), Int64s("minus_one", -1),
            Int64s("starts", -1, 0), Int64s("ends", long.MinValue, 3), Int64s("axes", 2, 1), Int64s("steps", -2, 1),
            Int64s("repeats", 1, 2, 1), Int64s("axes2", 1),
        ]), shape, "shape ops");
    }

    [TestMethod]
    public void SqueezeAndUnsqueezeWithAxesAttributesBeforeOpset13()
    {
        long[] shape = [2, 1, 4];
        AssertAgrees(Model(11, shape,
        [
            Node("Squeeze", ["x"], ["s"], Ints("axes", 1)),
            Node("Unsqueeze", ["s"], ["u"], Ints("axes", 0, -1)),
            Node("GlobalAveragePool", ["u"], ["y"]),
        ]), shape, "Squeeze-11");
    }

    [TestMethod]
    public void SliceWithAttributesBeforeOpset10()
    {
        long[] shape = [2, 3, 6];
        AssertAgrees(Model(9, shape, [Node("Slice", ["x"], ["y"], Ints("starts", 1, -4), Ints("ends", 100, -1), Ints("axes", 2, 1))]), shape, "Slice-9");
    }

    [TestMethod]
    public void FunctionCallResolvesAttributeReferencesAndDefaults()
    {
        // The body reshapes by the caller's "shape", convolves with the caller's strides, leaves pads absent when the
        // caller does, and scales by a default the caller does not override.
        var function = new FunctionProto { Name = "ScaledConv", Domain = "test.domain" };
        function.Input.Add(["a", "w", "unused"]);
        function.Output.Add("b");
        function.Attribute.Add(["shape", "strides", "pads"]);
        var scaleDefault = Float("value_float", 3f);
        scaleDefault.Name = "scale";
        function.AttributeProto.Add(scaleDefault);
        function.Node.Add(Node("Constant", [], ["shape_value"], Reference("value_ints", "shape", AttributeType.Ints)));
        function.Node.Add(Node("Reshape", ["w", "shape_value"], ["kernel"]));
        function.Node.Add(Node("Conv", ["a", "kernel"], ["conv"], Reference("strides", "strides", AttributeType.Ints), Reference("pads", "pads", AttributeType.Ints)));
        function.Node.Add(Node("Constant", [], ["scale_value"], Reference("value_float", "scale", AttributeType.Float)));
        function.Node.Add(Node("Mul", ["conv", "scale_value"], ["b"]));
        function.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });

        var call = Node("ScaledConv", ["x", "w"], ["c"], Ints("shape", 4, 2, 3, 3), Ints("strides", 2, 1));
        call.Domain = "test.domain";
        var second = Node("ScaledConv", ["c", "w2"], ["y"], Ints("shape", 2, 4, 1, 1), Ints("strides", 1, 1), Ints("pads", 1, 0, 1, 0));
        second.Domain = "test.domain";
        long[] shape = [2, 2, 7, 7];
        AssertAgrees(Model(13, shape, [call, second], [RandomFloats("w", 1, 72), RandomFloats("w2", 2, 8)], [function]), shape, "function");
    }
}

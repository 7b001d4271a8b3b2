using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Tests.Onnx;

/// <summary>
/// A small fully connected model built in code: X[N, in] → Gemm(W[out, in], B[out], transB=1) →
/// Relu → Y[N, out], IR version 8, opset 17, with a symbolic batch dimension. Also computes the
/// expected output by hand.
/// </summary>
internal static class GemmReluModel
{
    public const string InputName = "X";
    public const string OutputName = "Y";
    public const string WeightName = "W";
    public const string BiasName = "B";

    /// <summary>The model; W and B are FLOAT tensors in raw_data.</summary>
    public static ModelProto Create(int inFeatures = 4, int outFeatures = 3)
    {
        var graph = new GraphProto { Name = "gemm_relu" };
        graph.Input.Add(FloatValue(InputName, inFeatures));
        graph.Output.Add(FloatValue(OutputName, outFeatures));
        graph.Initializer.Add(FloatTensorProto.Create(WeightName, [outFeatures, inFeatures], Weight(inFeatures, outFeatures)));
        graph.Initializer.Add(FloatTensorProto.Create(BiasName, [outFeatures], Bias(outFeatures)));

        var gemm = new NodeProto { Name = "fc", OpType = "Gemm" };
        gemm.Input.Add([InputName, WeightName, BiasName]);
        gemm.Output.Add("fc_out");
        gemm.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var relu = new NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("fc_out");
        relu.Output.Add(OutputName);
        graph.Node.Add([gemm, relu]);

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "MLNet.TensorCompression.Tests",
            ProducerVersion = "1",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }

    /// <summary>W[o, i], row-major; mixed signs so that Relu clips some outputs.</summary>
    public static float[] Weight(int inFeatures, int outFeatures) =>
        Enumerable.Range(0, outFeatures * inFeatures)
            .Select(k => 0.1f * (k / inFeatures + 1) - 0.05f * (k % inFeatures) + 0.01f * (k % 7))
            .ToArray();

    public static float[] Bias(int outFeatures) => Enumerable.Range(0, outFeatures).Select(o => 0.25f * o - 0.3f).ToArray();

    /// <summary>A batch of <paramref name="rows"/> inputs with values in [-1, 1].</summary>
    public static float[] Input(int rows, int inFeatures) =>
        Enumerable.Range(0, rows * inFeatures).Select(k => MathF.Sin(0.7f * k + 0.3f)).ToArray();

    /// <summary>Y = max(0, X·Wᵀ + B), computed in double.</summary>
    public static float[] ExpectedOutput(float[] x, int rows, int inFeatures, int outFeatures)
    {
        var w = Weight(inFeatures, outFeatures);
        var b = Bias(outFeatures);
        var y = new float[rows * outFeatures];
        for (var n = 0; n < rows; n++)
        {
            for (var o = 0; o < outFeatures; o++)
            {
                double sum = b[o];
                for (var i = 0; i < inFeatures; i++)
                {
                    sum += (double)x[n * inFeatures + i] * w[o * inFeatures + i];
                }

                y[n * outFeatures + o] = (float)Math.Max(0, sum);
            }
        }

        return y;
    }

    private static ValueInfoProto FloatValue(string name, int features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = features });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}

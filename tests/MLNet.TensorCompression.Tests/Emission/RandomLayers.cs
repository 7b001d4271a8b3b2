using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Onnx.Protobuf;
using MLNet.TensorCompression.Tests.Decomposition;

namespace MLNet.TensorCompression.Tests.Emission;

/// <summary>Layers with random TT or HT weights, built by hand the way the layer finder would describe them.</summary>
internal static class RandomLayers
{
    public const string InputName = "x";
    public const string OutputName = "y";

    /// <summary>A fully connected layer W [∏outFactors, ∏inFactors] with a random TT weight of the given ranks.</summary>
    public static FactorizedWeight TensorTrainLinear(int seed, int[] outFactors, int[] inFactors, int[] ranks, LinearOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForMatrix(outFactors, inFactors);
        var train = RandomTensors.TensorTrainOfRanks(random, tensorization.ModeSizes.ToArray(), ranks);
        return new FactorizedWeight(Linear(random, tensorization, train.ToDense(), options), tensorization, train, 0);
    }

    /// <summary>A fully connected layer with a random HT weight on <paramref name="tree"/>, every non-root rank at most <paramref name="rank"/>.</summary>
    public static FactorizedWeight HierarchicalTuckerLinear(int seed, int[] outFactors, int[] inFactors, string tree, int rank, LinearOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForMatrix(outFactors, inFactors);
        var tucker = RandomTensors.HierarchicalTuckerOfRank(random, DimensionTree.Parse(tree), tensorization.ModeSizes.ToArray(), rank);
        return new FactorizedWeight(Linear(random, tensorization, tucker.ToDense(), options), tensorization, tucker, 0);
    }

    /// <summary>A convolution [∏outFactors, ∏inFactors, kh, kw] with a random TT kernel (ranks: d+2 values, 1 at both ends).</summary>
    public static FactorizedWeight TensorTrainConv(int seed, int[] outFactors, int[] inFactors, int kh, int kw, int[] ranks, ConvOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForConvKernel(outFactors, inFactors, kh, kw);
        var train = RandomTensors.TensorTrainOfRanks(random, tensorization.ModeSizes.ToArray(), ranks);
        return new FactorizedWeight(Conv(random, tensorization, train.ToDense(), options), tensorization, train, 0);
    }

    /// <summary>A convolution with a random HT kernel on <paramref name="tree"/> (over modes 0 … d, mode 0 spatial).</summary>
    public static FactorizedWeight HierarchicalTuckerConv(int seed, int[] outFactors, int[] inFactors, int kh, int kw, string tree, int rank, ConvOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForConvKernel(outFactors, inFactors, kh, kw);
        var tucker = RandomTensors.HierarchicalTuckerOfRank(random, DimensionTree.Parse(tree), tensorization.ModeSizes.ToArray(), rank);
        return new FactorizedWeight(Conv(random, tensorization, tucker.ToDense(), options), tensorization, tucker, 0);
    }

    /// <summary>
    /// A fully connected layer W [∏outFactors, ∏inFactors] with a random TT weight in the split layout (modes: the out
    /// factors, then the in factors; ranks: one per bond, 1 at both ends).
    /// </summary>
    public static FactorizedWeight TensorTrainSplitLinear(int seed, int[] outFactors, int[] inFactors, int[] ranks, LinearOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForMatrixSplit(outFactors, inFactors);
        var train = RandomTensors.TensorTrainOfRanks(random, tensorization.ModeSizes.ToArray(), ranks);
        return new FactorizedWeight(Linear(random, tensorization, train.ToDense(), options), tensorization, train, 0);
    }

    /// <summary>A convolution with a random TT kernel in the split layout (modes: in-channel factors, kh·kw, out-channel factors).</summary>
    public static FactorizedWeight TensorTrainSplitConv(int seed, int[] outFactors, int[] inFactors, int kh, int kw, int[] ranks, ConvOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForConvKernelSplit(outFactors, inFactors, kh, kw);
        var train = RandomTensors.TensorTrainOfRanks(random, tensorization.ModeSizes.ToArray(), ranks);
        return new FactorizedWeight(Conv(random, tensorization, train.ToDense(), options), tensorization, train, 0);
    }

    /// <summary>A fully connected layer with a random HT weight in the split layout, on the tree that separates rows from columns at its root.</summary>
    public static FactorizedWeight HierarchicalTuckerSplitLinear(int seed, int[] outFactors, int[] inFactors, int rank, LinearOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForMatrixSplit(outFactors, inFactors);
        var tucker = RandomTensors.HierarchicalTuckerOfRank(random, tensorization.SplitTree()!, tensorization.ModeSizes.ToArray(), rank);
        return new FactorizedWeight(Linear(random, tensorization, tucker.ToDense(), options), tensorization, tucker, 0);
    }

    /// <summary>A convolution with a random HT kernel in the split layout, on the tree (input channels, (spatial, output channels)).</summary>
    public static FactorizedWeight HierarchicalTuckerSplitConv(int seed, int[] outFactors, int[] inFactors, int kh, int kw, int rank, ConvOptions options)
    {
        var random = new Random(seed);
        var tensorization = Tensorization.ForConvKernelSplit(outFactors, inFactors, kh, kw);
        var tucker = RandomTensors.HierarchicalTuckerOfRank(random, tensorization.SplitTree()!, tensorization.ModeSizes.ToArray(), rank);
        return new FactorizedWeight(Conv(random, tensorization, tucker.ToDense(), options), tensorization, tucker, 0);
    }

    /// <summary>A fully connected layer over the given weight tensor (in mode order).</summary>
    public static CompressibleLayer Linear(Random random, Tensorization tensorization, double[] tensor, LinearOptions options)
    {
        var weight = tensorization.Unfold(tensor);
        int outputs = tensorization.OriginalShape[0], inputs = tensorization.OriginalShape[1];
        return new CompressibleLayer
        {
            Name = "fc",
            Kind = LayerKind.FullyConnected,
            OpType = options.OpType,
            InputName = options.InputName,
            OutputName = options.OutputName,
            Weight = new FloatTensorData("fc.weight", [outputs, inputs], weight),
            Bias = options.Bias ? Bias(random, outputs) : null,
            WeightOnLeft = options.WeightOnLeft,
            Nodes = [],
            ParameterTensorNames = [],
            ApplicationsPerSample = options.ApplicationsPerSample,
        };
    }

    /// <summary>A convolution over the given kernel tensor (in mode order).</summary>
    public static CompressibleLayer Conv(Random random, Tensorization tensorization, double[] tensor, ConvOptions options)
    {
        var kernel = tensorization.Unfold(tensor);
        return new CompressibleLayer
        {
            Name = "conv",
            Kind = LayerKind.Convolution,
            OpType = "Conv",
            InputName = InputName,
            OutputName = OutputName,
            Weight = new FloatTensorData("conv.weight", tensorization.OriginalShape.ToArray(), kernel),
            Bias = options.Bias ? Bias(random, tensorization.OriginalShape[0]) : null,
            ConvolutionAttributes = options.Attributes,
            Nodes = [],
            ParameterTensorNames = [],
            ApplicationsPerSample = options.ApplicationsPerSample,
        };
    }

    private static float[] Bias(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
}

/// <summary>How a random fully connected layer is wired.</summary>
internal sealed record LinearOptions(bool Bias = true, string OpType = "MatMul", bool WeightOnLeft = false, long? ApplicationsPerSample = null)
{
    /// <summary>The activation the layer reads.</summary>
    public string InputName { get; init; } = RandomLayers.InputName;

    /// <summary>The tensor the layer writes.</summary>
    public string OutputName { get; init; } = RandomLayers.OutputName;
}

/// <summary>How a random convolution is wired.</summary>
internal sealed record ConvOptions(bool Bias = true, long? ApplicationsPerSample = null)
{
    /// <summary>The Conv's attributes (strides, pads, …).</summary>
    public IReadOnlyList<AttributeProto> Attributes { get; init; } = [];
}

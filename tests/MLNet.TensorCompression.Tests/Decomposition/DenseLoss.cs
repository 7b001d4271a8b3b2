namespace MLNet.TensorCompression.Tests.Decomposition;

/// <summary>A scalar loss L(A) of a dense tensor together with its gradient dL/dA, for checking factor gradients.</summary>
internal sealed class DenseLoss
{
    private readonly Func<double[], double> value;
    private readonly Func<double[], double[]> gradient;

    private DenseLoss(string name, Func<double[], double> value, Func<double[], double[]> gradient)
    {
        Name = name;
        this.value = value;
        this.gradient = gradient;
    }

    public string Name { get; }

    /// <summary>L = Σ w∘A, so dL/dA = w.</summary>
    public static DenseLoss Weighted(double[] weights) =>
        new("Σ w∘A", dense => dense.Zip(weights, (a, w) => a * w).Sum(), _ => weights);

    /// <summary>L = ½‖A − T‖², so dL/dA = A − T.</summary>
    public static DenseLoss HalfSquaredDistance(double[] target) =>
        new("½‖A − T‖²", dense => 0.5 * dense.Zip(target, (a, t) => (a - t) * (a - t)).Sum(), dense => dense.Zip(target, (a, t) => a - t).ToArray());

    /// <summary>Both losses for tensors of <paramref name="length"/> values, with random weights and target.</summary>
    public static DenseLoss[] BothRandom(Random random, long length) =>
        [Weighted(RandomTensors.Gaussian(random, length)), HalfSquaredDistance(RandomTensors.Gaussian(random, length))];

    public double Value(double[] dense) => value(dense);

    public double[] Gradient(double[] dense) => gradient(dense);
}

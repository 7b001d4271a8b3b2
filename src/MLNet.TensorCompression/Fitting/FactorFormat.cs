using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Finding;

namespace MLNet.TensorCompression.Fitting;

/// <summary>TT or HT behind one face for the optimiser: the factors, the dense tensor they make, and its gradient.</summary>
internal sealed class FactorFormat
{
    private readonly Func<double[][], double[]> dense;
    private readonly Func<double[][], double[], double[][]> backward;
    private readonly Func<CompressibleLayer, double[][], FactorizedWeight> toWeight;

    private FactorFormat(double[][] factors, Func<double[][], double[]> dense, Func<double[][], double[], double[][]> backward, Func<CompressibleLayer, double[][], FactorizedWeight> toWeight)
    {
        Factors = factors;
        this.dense = dense;
        this.backward = backward;
        this.toWeight = toWeight;
    }

    /// <summary>The starting factors (TT cores, or HT factors by node id).</summary>
    public double[][] Factors { get; }

    public static FactorFormat Of(FactorizedWeight weight)
    {
        var tensorization = weight.Tensorization;
        var original = weight.Layer.Weight.Data;
        if (weight.TensorTrain is { } train)
        {
            TensorTrain Make(double[][] cores) => train.WithCores(cores);
            return new FactorFormat(train.Cores.ToArray(),
                cores => Make(cores).ToDense(),
                (cores, gradient) => TensorTrainGradient.Backward(Make(cores), gradient),
                (layer, cores) => new FactorizedWeight(layer, tensorization, Make(cores), RelativeError(original, tensorization, Make(cores).ToDense())));
        }
        var ht = weight.HierarchicalTucker!;
        HierarchicalTucker MakeHt(double[][] factors) => ht.WithFactors(factors);
        return new FactorFormat(ht.Factors.ToArray(),
            factors => MakeHt(factors).ToDense(),
            (factors, gradient) => HierarchicalTuckerGradient.Backward(MakeHt(factors), gradient),
            (layer, factors) => new FactorizedWeight(layer, tensorization, MakeHt(factors), RelativeError(original, tensorization, MakeHt(factors).ToDense())));
    }

    public double[] Dense(double[][] factors) => dense(factors);

    public double[][] Backward(double[][] factors, double[] tensorGradient) => backward(factors, tensorGradient);

    public FactorizedWeight ToWeight(CompressibleLayer layer, double[][] factors) => toWeight(layer, factors);

    /// <summary>‖W − Ŵ‖/‖W‖ in weight space (re-fitting trades it for activation error, so it is reported as it is).</summary>
    private static double RelativeError(float[] original, Tensorization tensorization, double[] tensor)
    {
        var rebuilt = new double[tensor.Length];
        tensorization.UnfoldInto(tensor, rebuilt);
        double difference = 0, norm = 0;
        for (int i = 0; i < original.Length; i++)
        {
            double d = original[i] - rebuilt[i];
            difference += d * d;
            norm += (double)original[i] * original[i];
        }
        return norm == 0 ? 0 : Math.Sqrt(difference / norm);
    }
}

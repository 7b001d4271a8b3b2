using System.Globalization;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>One measured point of the frontier: a policy at a target ratio, layer-wise or distilled, one seed.</summary>
internal sealed record FrontierPoint(string Policy, string Recovery, double TargetRatio, int Seed, double CompressionRatio, double Accuracy, double Seconds)
{
    public const string Header = "policy,recovery,target,seed,ratio,accuracy,seconds";

    /// <summary>Which run this is: a point with the same key is not measured again.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Policy},{Recovery},{TargetRatio},{Seed}");

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Key},{CompressionRatio:F3},{Accuracy:F4},{Seconds:F0}");

    public static FrontierPoint Parse(string line)
    {
        var f = line.Split(',');
        var invariant = CultureInfo.InvariantCulture;
        return new(f[0], f[1], double.Parse(f[2], invariant), int.Parse(f[3], invariant), double.Parse(f[4], invariant), double.Parse(f[5], invariant), double.Parse(f[6], invariant));
    }
}

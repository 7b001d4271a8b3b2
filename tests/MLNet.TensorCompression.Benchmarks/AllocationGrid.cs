using System.Globalization;
using MLNet.TensorCompression.Decomposition;
using MLNet.TensorCompression.Emission;
using MLNet.TensorCompression.Finding;
using MLNet.TensorCompression.Fitting;
using MLNet.TensorCompression.Onnx;
using MLNet.TensorCompression.Planning;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// What a rank allocation could have chosen, for a model with two compressed layers (the LeNet sample): first, for every
/// rank of each layer's ladder, that layer alone compressed — its squared weight error and the network's output error
/// before re-fitting, after the allocation's quick fit (<see cref="RefitOptions.ForAllocation"/>) and after a full fit;
/// then, at each ratio, every pair of ranks that fills the budget, re-fitted layer-wise as the compressor does and scored
/// on Debian's 10,000 test images. How the output-error allocation was validated. Settings as in
/// <see cref="LayerwiseAccuracy"/>: "rows=N", "offset=N", "seed=N"; the rest are ratios.
/// </summary>
public static class AllocationGrid
{
    public static void Report(string modelPath, IReadOnlyList<string> settings, TextWriter output)
    {
        var invariant = CultureInfo.InvariantCulture;
        string Setting(string name, string fallback) => settings.FirstOrDefault(s => s.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
        var refit = new RefitOptions { Seed = int.Parse(Setting("seed", "12345"), invariant) };
        var calibration = LayerwiseAccuracy.Read("train").Samples.Take(int.Parse(Setting("offset", "0"), invariant), int.Parse(Setting("rows", "1000"), invariant));
        var test = LayerwiseAccuracy.Read("t10k");
        var model = BatchNormFolding.Fold(OnnxModel.Load(modelPath), progress: null);
        var options = new CompressionOptions();
        var plans = OnnxModelCompressor.PlanFormats(model, LayerFinder.Find(model), options);
        var compressed = Enumerable.Range(0, plans.Count).Where(i => plans[i].Format != LayerFormat.Dense).ToArray();
        if (compressed.Length != 2) throw new ArgumentException($"The grid is for two compressed layers; {modelPath} has {compressed.Length}.");
        long modelParameters = model.ParameterCount;
        // Everything but the two compressed weights.
        long fixedParameters = modelParameters - compressed.Sum(i => plans[i].Layer.WeightCount);
        var dense = plans.Select(p => new PlannedLayer(p, null)).ToArray();
        var ladders = compressed.Select(i => RankLadders.RankLadder
            .Select(rank => (Rank: rank, Weight: LayerDecomposer.Decompose(plans[i], Truncation.ToRank(rank))))
            .Where(c => c.Weight.FactorParameterCount < plans[i].Layer.WeightCount).ToList()).ToArray();

        OnnxModel Build(IReadOnlyList<PlannedLayer> layers) => CompressedModelEmitter.Emit(model, layers, options).Model;
        using var fitting = new DataAwareFitting(model, calibration, refit, Build);
        var outputError = new OutputError(model, calibration, refit.AllocationSamples, refit.Seed);
        PlannedLayer[] With(params (int Index, FactorizedWeight Weight)[] replaced)
        {
            var layers = (PlannedLayer[])dense.Clone();
            foreach (var (index, weight) in replaced) layers[index] = layers[index] with { Weight = weight };
            return layers;
        }

        output.WriteLine("layer rank parameters weight-error² output-error: before-refit quick-refit full-refit");
        for (int l = 0; l < 2; l++)
        {
            int index = compressed[l];
            var quick = fitting.RefitAlone(ladders[l].Select(c => c.Weight).ToArray(), refit.ForAllocation, default);
            var full = fitting.RefitAlone(ladders[l].Select(c => c.Weight).ToArray(), refit with { RefitDenseLayers = false }, default);
            for (int k = 0; k < ladders[l].Count; k++)
            {
                var (rank, weight) = ladders[l][k];
                output.WriteLine(string.Create(invariant, $"{plans[index].Layer.Name} {rank} {weight.FactorParameterCount} {weight.RelativeError * weight.RelativeError:G4} " +
                    $"{outputError.Measure(Build(With((index, weight)))):G4} {outputError.Measure(Build(With((index, quick[k])))):G4} {outputError.Measure(Build(With((index, full[k])))):G4}"));
            }
        }

        foreach (string ratio in settings.Where(s => !s.Contains('=')))
        {
            long budget = (long)Math.Floor(modelParameters / double.Parse(ratio, invariant));
            output.WriteLine($"{ratio}x (budget {budget:N0}): rank pairs that fill it, re-fitted layer-wise");
            foreach (var (rank, weight) in ladders[0])
            {
                // The largest rank of the second layer that fits beside this one.
                var fits = ladders[1].Where(c => fixedParameters + weight.FactorParameterCount + c.Weight.FactorParameterCount <= budget).ToList();
                if (fits.Count == 0) continue;
                var second = fits.MaxBy(c => c.Weight.FactorParameterCount);
                var refitted = Build(fitting.Refit(With((compressed[0], weight), (compressed[1], second.Weight)), progress: null, default));
                output.WriteLine(string.Create(invariant,
                    $"  {rank} {second.Rank}: {fixedParameters + weight.FactorParameterCount + second.Weight.FactorParameterCount:N0} parameters, output error {outputError.Measure(refitted):G4}, accuracy {ClassifierAccuracy.Measure(refitted, test.Samples, test.Labels):F4}"));
            }
        }
    }
}

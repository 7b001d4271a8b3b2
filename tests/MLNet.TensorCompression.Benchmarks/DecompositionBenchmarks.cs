using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>TT-SVD and HT-SVD of the weight sizes (including tensorisation). Few iterations: the large cases take seconds.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class DecompositionBenchmarks
{
    private Func<double> work = () => 0;

    /// <summary>Which workload.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    /// <summary>All workloads.</summary>
    public static IEnumerable<string> Cases => DecompositionCases.Names;

    /// <summary>Builds the random weight outside the timed region.</summary>
    [GlobalSetup]
    public void Setup() => work = DecompositionCases.Prepare(Case);

    /// <summary>Tensorise and decompose.</summary>
    [Benchmark]
    public double Decompose() => work();
}

using BenchmarkDotNet.Attributes;
using MLNet.TensorCompression.Tensors;

namespace MLNet.TensorCompression.Benchmarks;

/// <summary>
/// The dense kernels behind TT-SVD and HT-SVD at the sizes the 25088×4096 decomposition needs. Not run by CI;
/// needs about 1.3 GB of memory. Run with:
/// dotnet run -c Release --project tests/MLNet.TensorCompression.Benchmarks -- --filter '*TruncatedSvdBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class TruncatedSvdBenchmarks
{
    private Matrix shortFat = null!;
    private Matrix projectionBasis = null!;
    private Matrix square4096 = null!;
    private Matrix square512 = null!;

    [GlobalSetup]
    public void Setup()
    {
        shortFat = Uniform(128, 1_000_000, 1);
        projectionBasis = Uniform(128, 32, 2);

        // Rank 128 with decaying weights plus noise, so rank 64 is a meaningful truncation.
        Matrix left = Uniform(4096, 128, 3);
        Matrix right = Uniform(128, 4096, 4);
        for (int i = 0; i < 128; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(right.Row(i), Math.Pow(0.95, i), right.Row(i));
        }

        square4096 = Gemm.Multiply(left, right);
        var random = new Random(5);
        for (int i = 0; i < square4096.Data.Length; i++)
        {
            square4096.Data[i] += 1e-3 * (random.NextDouble() - 0.5);
        }

        square512 = Uniform(512, 512, 6);
    }

    /// <summary>a·aᵀ of a short-fat 128 × 1,000,000 matrix.</summary>
    [Benchmark]
    public object Gram128x1M() => Gemm.Gram(shortFat);

    /// <summary>Uᵀ·B with U 128 × 32 and B 128 × 1,000,000: the projection after a Gram SVD.</summary>
    [Benchmark]
    public object Projection32Of128x1M() => Gemm.TransposeAMultiply(projectionBasis, shortFat);

    /// <summary>Randomized SVD of 4096 × 4096 capped at rank 64.</summary>
    [Benchmark]
    public object Randomized4096Rank64() => TruncatedSvd.Compute(square4096, 64, 0, forceMethod: SvdMethod.Randomized);

    /// <summary>Exact SVD of 512 × 512, all values kept.</summary>
    [Benchmark]
    public object Exact512() => TruncatedSvd.Compute(square512, int.MaxValue, 0, forceMethod: SvdMethod.Exact);

    private static Matrix Uniform(int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] = random.NextDouble() - 0.5;
        }

        return m;
    }
}

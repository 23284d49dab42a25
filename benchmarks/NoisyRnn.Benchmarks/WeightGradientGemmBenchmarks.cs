using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// The deep products of BPTT, C += Aᵀ·B over k = batch·time = 20,000 rows: dW_out = dYᵀ·H with 512 outputs and
/// N = 512 (spatial) or 128 (head direction) hidden units, about 10.5 and 2.6 GFLOP. On all cores (depth pieces claimed
/// by the threads) and on one.
/// </summary>
[MemoryDiagnoser]
public class WeightGradientGemmBenchmarks
{
    private const int M = 512, K = 20_000;
    private float[] _a = null!, _b = null!, _c = null!;

    /// <summary>Hidden units: columns of C.</summary>
    [Params(512, 128)]
    public int N { get; set; }

    /// <summary>Seeded operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, K * M).Select(_ => (float)(rng.NextDouble() - 0.5) * 1e-3f).ToArray();
        _b = Enumerable.Range(0, K * N).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[M * N];
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>All cores.</summary>
    [Benchmark(Baseline = true)]
    public float AllCores()
    {
        Gemm.MultiplyStrided(_a, M, true, _b, N, _c, N, M, N, K, true, Isa.Tier, Gemm.MaxThreads);
        return _c[^1];
    }

    /// <summary>One core.</summary>
    [Benchmark]
    public float OneThread()
    {
        Gemm.MultiplyStrided(_a, M, true, _b, N, _c, N, M, N, K, true, Isa.Tier, 1);
        return _c[^1];
    }
}

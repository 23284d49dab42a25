using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// C = A·Bᵀ at the recurrent size of the spatial task (200 x 512 x 512, about 105 MFLOP) and at a size whose
/// columns leave a vector tail (200 x 130 x 512).
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private const int M = 200, K = 512;
    private float[] _a = null!, _b = null!, _c = null!;

    /// <summary>Columns of C (rows of B).</summary>
    [Params(512, 130)]
    public int N { get; set; }

    /// <summary>Fills A and B with seeded uniform values.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, M * K).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N * K).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[M * N];
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>Scalar twin (baseline).</summary>
    [Benchmark(Baseline = true)]
    public float Scalar()
    {
        GemmScalar.MultiplyTransposedB(_a, _b, _c, M, N, K);
        return _c[^1];
    }

    /// <summary>SIMD tier chosen at start-up, both cores.</summary>
    [Benchmark]
    public float Simd()
    {
        Gemm.MultiplyTransposedB(_a, _b, _c, M, N, K);
        return _c[^1];
    }
}

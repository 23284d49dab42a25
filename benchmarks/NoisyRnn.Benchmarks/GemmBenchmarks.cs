using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// C = A·Bᵀ at the recurrent size of the spatial task (200 x 512 x 512, about 105 MFLOP) and at a size whose
/// columns leave a vector tail (200 x 130 x 512): the scalar twin, the public entry point (B packed on every call),
/// and B packed once beforehand as the models do for W_rec (one thread and all cores).
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private const int M = 200, K = 512;
    private float[] _a = null!, _b = null!, _c = null!;
    private readonly PackedMatrix _packed = new();

    /// <summary>Columns of C (rows of B).</summary>
    [Params(512, 130)]
    public int N { get; set; }

    /// <summary>Fills A and B with seeded uniform values and packs B once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _a = Enumerable.Range(0, M * K).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, N * K).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[M * N];
        _packed.PackTransposed(_b, K, N, Isa.Tier);
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>Scalar twin (baseline).</summary>
    [Benchmark(Baseline = true)]
    public float Scalar()
    {
        GemmScalar.MultiplyTransposedB(_a, _b, _c, M, N, K);
        return _c[^1];
    }

    /// <summary>SIMD tier chosen at start-up, both cores; B packed inside the call.</summary>
    [Benchmark]
    public float Simd()
    {
        Gemm.MultiplyTransposedB(_a, _b, _c, M, N, K);
        return _c[^1];
    }

    /// <summary>B packed once (the recurrent products of a forward pass), both cores.</summary>
    [Benchmark]
    public float SimdPacked()
    {
        Gemm.MultiplyPacked(_a, K, false, _packed, _c, N, M, false, Isa.Tier, Gemm.MaxThreads);
        return _c[^1];
    }

    /// <summary>B packed once, one core: the kernel's own throughput.</summary>
    [Benchmark]
    public float SimdPackedOneThread()
    {
        Gemm.MultiplyPacked(_a, K, false, _packed, _c, N, M, false, Isa.Tier, 1);
        return _c[^1];
    }
}

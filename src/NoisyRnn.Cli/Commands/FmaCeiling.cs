using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NoisyRnn.Kernels;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// Measures this machine's float32 fused-multiply-add ceiling with a managed microkernel, so `noisyrnn bench` can report
/// what fraction of it a training step reaches (issue 17: absolute times do not carry from one machine to the next,
/// fractions of the machine's own ceiling do). Each thread runs <see cref="Accumulators"/> independent FMA chains
/// acc_i = acc_i * a + b in registers (no loads or stores in the loop), enough chains to cover the FMA latency on every
/// x64 core we know (2 FMA pipes x 4-5 cycles of latency = 8-10 chains in flight). The widest accelerated vector tier is
/// used (Vector512 -&gt; Vector256 -&gt; Vector128 -&gt; scalar, as <see cref="Isa.Tier"/>); counted as 2 flops per lane
/// per FMA, as GEMM GFLOP/s are. The best of several short repeats is kept: a ceiling, not a typical value.
/// </summary>
/// <remarks>
/// Lives in the CLI rather than in Kernels/: it is a measuring instrument, not a kernel the library computes with. On a
/// double-pumped AVX-512 core (Zen 4) a 512-bit FMA issues as two 256-bit halves, so the Vector512 ceiling there equals
/// the Vector256 one (2 pipes x 8 lanes x 2 = 32 flops per cycle per core); on Zen 5 it is twice as high.
/// </remarks>
internal static class FmaCeiling
{
    /// <summary>Independent FMA chains per thread: 12 covers 2 pipes x 5 cycles and leaves registers for a and b (32 zmm).</summary>
    internal const int Accumulators = 12;

    /// <summary>Target length of one timed repeat, in seconds: long enough to dwarf thread start-up and timer resolution.</summary>
    internal const double RepeatSeconds = 0.02;

    /// <summary>Timed repeats per thread count; the fastest is the ceiling.</summary>
    internal const int Repeats = 12;

    /// <summary>The tier the microkernel runs on: the widest accelerated one (same ladder as the kernels).</summary>
    internal static IsaTier Tier => Isa.Tier;

    /// <summary>Flops one loop iteration of one thread computes: chains x lanes x 2.</summary>
    internal static double FlopsPerIteration(IsaTier tier) => 2.0 * Accumulators * Isa.FloatsPerVector(tier);

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running the microkernel at once (wall time of the slowest
    /// thread), best of <see cref="Repeats"/> repeats.</summary>
    /// <param name="threads">Threads, &gt;= 1 (normally 1 or the processor count).</param>
    internal static double Measure(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var tier = Tier;
        // Calibrate on this thread: iterations for about RepeatSeconds on one core (also compiles the loop).
        long iterations = 1 << 14;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            Sink(Run(tier, iterations));
            double s = sw.Elapsed.TotalSeconds;
            if (s >= RepeatSeconds / 4 || iterations >= 1L << 40)
            {
                iterations = Math.Max(1, (long)(iterations * RepeatSeconds / Math.Max(s, 1e-9)));
                break;
            }
            iterations *= 4;
        }
        double best = 0;
        for (int r = 0; r < Repeats; r++)
        {
            double seconds = threads == 1 ? TimeOne(tier, iterations) : TimeMany(tier, iterations, threads);
            best = Math.Max(best, threads * iterations * FlopsPerIteration(tier) / seconds / 1e9);
        }
        return best;
    }

    private static double TimeOne(IsaTier tier, long iterations)
    {
        var sw = Stopwatch.StartNew();
        Sink(Run(tier, iterations));
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Starts <paramref name="threads"/> dedicated threads, releases them together and returns the wall time until
    /// the last one finishes.</summary>
    private static double TimeMany(IsaTier tier, long iterations, int threads)
    {
        using var ready = new CountdownEvent(threads);
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                ready.Signal();
                go.Wait();
                Sink(Run(tier, iterations));
            }) { IsBackground = true, Name = "NoisyRnn FMA ceiling" };
            workers[t].Start();
        }
        ready.Wait();
        var sw = Stopwatch.StartNew();
        go.Set();
        foreach (var w in workers) w.Join();
        return sw.Elapsed.TotalSeconds;
    }

    private static float s_sink;

    /// <summary>Keeps the result alive so the JIT cannot drop the loop.</summary>
    private static void Sink(float value) => Volatile.Write(ref s_sink, s_sink + value);

    private static float Run(IsaTier tier, long iterations) => tier switch
    {
        IsaTier.Vector512 => Run512(iterations),
        IsaTier.Vector256 => Run256(iterations),
        IsaTier.Vector128 => Run128(iterations),
        _ => RunScalar(iterations),
    };

    // The chains converge to b / (1 - a) = 1e-3 / 1e-3 = 1: normal floats all the way (no subnormal or overflow slowdowns).
    private const float A = 0.999f, B = 1e-3f;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run512(long iterations)
    {
        var a = Vector512.Create(A);
        var b = Vector512.Create(B);
        Vector512<float> c0 = Vector512.Create(0.10f), c1 = Vector512.Create(0.11f), c2 = Vector512.Create(0.12f), c3 = Vector512.Create(0.13f);
        Vector512<float> c4 = Vector512.Create(0.14f), c5 = Vector512.Create(0.15f), c6 = Vector512.Create(0.16f), c7 = Vector512.Create(0.17f);
        Vector512<float> c8 = Vector512.Create(0.18f), c9 = Vector512.Create(0.19f), c10 = Vector512.Create(0.20f), c11 = Vector512.Create(0.21f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, a, b); c1 = Vector512.FusedMultiplyAdd(c1, a, b);
            c2 = Vector512.FusedMultiplyAdd(c2, a, b); c3 = Vector512.FusedMultiplyAdd(c3, a, b);
            c4 = Vector512.FusedMultiplyAdd(c4, a, b); c5 = Vector512.FusedMultiplyAdd(c5, a, b);
            c6 = Vector512.FusedMultiplyAdd(c6, a, b); c7 = Vector512.FusedMultiplyAdd(c7, a, b);
            c8 = Vector512.FusedMultiplyAdd(c8, a, b); c9 = Vector512.FusedMultiplyAdd(c9, a, b);
            c10 = Vector512.FusedMultiplyAdd(c10, a, b); c11 = Vector512.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run256(long iterations)
    {
        var a = Vector256.Create(A);
        var b = Vector256.Create(B);
        Vector256<float> c0 = Vector256.Create(0.10f), c1 = Vector256.Create(0.11f), c2 = Vector256.Create(0.12f), c3 = Vector256.Create(0.13f);
        Vector256<float> c4 = Vector256.Create(0.14f), c5 = Vector256.Create(0.15f), c6 = Vector256.Create(0.16f), c7 = Vector256.Create(0.17f);
        Vector256<float> c8 = Vector256.Create(0.18f), c9 = Vector256.Create(0.19f), c10 = Vector256.Create(0.20f), c11 = Vector256.Create(0.21f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b); c1 = Vector256.FusedMultiplyAdd(c1, a, b);
            c2 = Vector256.FusedMultiplyAdd(c2, a, b); c3 = Vector256.FusedMultiplyAdd(c3, a, b);
            c4 = Vector256.FusedMultiplyAdd(c4, a, b); c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b); c7 = Vector256.FusedMultiplyAdd(c7, a, b);
            c8 = Vector256.FusedMultiplyAdd(c8, a, b); c9 = Vector256.FusedMultiplyAdd(c9, a, b);
            c10 = Vector256.FusedMultiplyAdd(c10, a, b); c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Run128(long iterations)
    {
        var a = Vector128.Create(A);
        var b = Vector128.Create(B);
        Vector128<float> c0 = Vector128.Create(0.10f), c1 = Vector128.Create(0.11f), c2 = Vector128.Create(0.12f), c3 = Vector128.Create(0.13f);
        Vector128<float> c4 = Vector128.Create(0.14f), c5 = Vector128.Create(0.15f), c6 = Vector128.Create(0.16f), c7 = Vector128.Create(0.17f);
        Vector128<float> c8 = Vector128.Create(0.18f), c9 = Vector128.Create(0.19f), c10 = Vector128.Create(0.20f), c11 = Vector128.Create(0.21f);
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, a, b); c1 = Vector128.FusedMultiplyAdd(c1, a, b);
            c2 = Vector128.FusedMultiplyAdd(c2, a, b); c3 = Vector128.FusedMultiplyAdd(c3, a, b);
            c4 = Vector128.FusedMultiplyAdd(c4, a, b); c5 = Vector128.FusedMultiplyAdd(c5, a, b);
            c6 = Vector128.FusedMultiplyAdd(c6, a, b); c7 = Vector128.FusedMultiplyAdd(c7, a, b);
            c8 = Vector128.FusedMultiplyAdd(c8, a, b); c9 = Vector128.FusedMultiplyAdd(c9, a, b);
            c10 = Vector128.FusedMultiplyAdd(c10, a, b); c11 = Vector128.FusedMultiplyAdd(c11, a, b);
        }
        return Vector128.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
    }

    /// <summary>The scalar tier (no SIMD at all): a multiply and an add per chain, what the scalar twins compute with.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RunScalar(long iterations)
    {
        float c0 = 0.10f, c1 = 0.11f, c2 = 0.12f, c3 = 0.13f, c4 = 0.14f, c5 = 0.15f;
        float c6 = 0.16f, c7 = 0.17f, c8 = 0.18f, c9 = 0.19f, c10 = 0.20f, c11 = 0.21f;
        for (long i = 0; i < iterations; i++)
        {
            c0 = c0 * A + B; c1 = c1 * A + B; c2 = c2 * A + B; c3 = c3 * A + B; c4 = c4 * A + B; c5 = c5 * A + B;
            c6 = c6 * A + B; c7 = c7 * A + B; c8 = c8 * A + B; c9 = c9 * A + B; c10 = c10 * A + B; c11 = c11 * A + B;
        }
        return ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
    }
}

using BenchmarkDotNet.Running;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks;

/// <summary>Entry point: pick benchmarks with <c>--filter</c>, e.g. <c>--filter '*Gemm*' --job Dry</c>.</summary>
public static class Program
{
    /// <summary>Prints the SIMD tier and runs the selected benchmarks.</summary>
    public static void Main(string[] args)
    {
        Console.WriteLine($"NoisyRnn ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

using BenchmarkDotNet.Running;
using NoisyRnn.Kernels;

namespace NoisyRnn.Benchmarks;

/// <summary>Entry point: pick benchmarks with <c>--filter</c>, e.g. <c>--filter '*Gemm*' --job Dry</c>.</summary>
public static class Program
{
    /// <summary>Prints the SIMD tier and runs the selected benchmarks.</summary>
    /// <returns>0 when every selected benchmark ran; 1 when one failed to build or run, or a validation error stopped a
    /// run (BenchmarkDotNet itself reports those only in its log), so scripts and CI can rely on the exit code.</returns>
    public static int Main(string[] args)
    {
        Console.WriteLine($"NoisyRnn ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();
        var failed = summaries
            .SelectMany(s => s.Reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo))
            .ToList();
        foreach (string name in failed) Console.Error.WriteLine($"error: benchmark did not produce results: {name}");
        if (summaries.Any(s => s.HasCriticalValidationErrors))
        {
            Console.Error.WriteLine("error: BenchmarkDotNet reported critical validation errors (see the log above).");
            return 1;
        }
        return failed.Count > 0 ? 1 : 0;
    }
}

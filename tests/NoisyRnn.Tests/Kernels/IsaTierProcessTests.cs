using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Text.Json;
using NoisyRnn.Cli.Commands;
using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

/// <summary>
/// Runs the CLI's fixed forward+BPTT pass in child processes with the runtime's SIMD switches turned off, asserts that
/// the tier really changed, and that results agree with this process within float tolerance (DESIGN.md, convention 4).
/// </summary>
public class IsaTierProcessTests
{
    // Float sums over a few thousand values differ across vector widths only by reassociation: ~1e-6 relative.
    private const double RelativeTolerance = 1e-4;

    private static JsonElement RunInfo(params (string Name, string Value)[] environment)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "NoisyRnn.Cli.dll");
        Assert.True(File.Exists(cli), $"{cli} not found next to the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("info");
        start.ArgumentList.Add("--checksum");
        start.ArgumentList.Add("--json");
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "child process timed out");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        Assert.True(Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs {expected}");
    }

    [Fact]
    public void ForcedTiersChangeTheTierAndAgreeWithinTolerance()
    {
        var (outputs, gradient) = InfoCommand.Checksum();
        var (noiseSum, noiseBits) = InfoCommand.NoiseChecksum();
        var cases = new List<(string Expected, (string, string)[] Env)>
        {
            ("Scalar", [("DOTNET_EnableHWIntrinsic", "0")]),
        };
        if (Vector512.IsHardwareAccelerated) cases.Add(("Vector256", [("DOTNET_EnableAVX512", "0")]));
        foreach (var (expected, env) in cases)
        {
            var info = RunInfo(env);
            Assert.Equal(expected, info.GetProperty("isa_tier").GetString());
            Assert.NotEqual(Isa.Tier.ToString(), expected);
            AssertClose(outputs, info.GetProperty("output_sum").GetDouble(), $"{expected} output sum");
            AssertClose(gradient, info.GetProperty("gradient_sum").GetDouble(), $"{expected} gradient sum");
            AssertClose(noiseSum, info.GetProperty("noise_sum").GetDouble(), $"{expected} Gaussian noise sum");
            // The eight-lane generator uses only integer steps and exactly specified float operations, so the 256-bit
            // tier (Vector512 emulated on two Vector256) must give the same bits; the scalar tier may differ in the last
            // bit through TensorPrimitives' log (GaussianNoiseSource remarks), so it is held to the tolerance only.
            if (expected == "Vector256") Assert.Equal(noiseBits, info.GetProperty("noise_bits").GetString());
        }
    }

    [Fact]
    public void ForcedTiersRunTheGruKernelsWithinTolerance()
    {
        // The GRU's own kernels (FusedGru: gates, candidate and their backward) and its three recurrent products, in child
        // processes forced down every rung of the ladder, against this process's (widest) tier.
        var (outputs, gradient) = InfoCommand.GruChecksum();
        var cases = new List<(string Expected, (string, string)[] Env)>
        {
            ("Scalar", [("DOTNET_EnableHWIntrinsic", "0")]),
        };
        if (Vector256.IsHardwareAccelerated) cases.Add(("Vector128", [("DOTNET_EnableAVX2", "0")]));
        if (Vector512.IsHardwareAccelerated) cases.Add(("Vector256", [("DOTNET_PreferredVectorBitWidth", "256")]));
        foreach (var (expected, env) in cases)
        {
            var info = RunInfo(env);
            Assert.Equal(expected, info.GetProperty("isa_tier").GetString());
            Assert.NotEqual(Isa.Tier.ToString(), expected);
            AssertClose(outputs, info.GetProperty("gru_output_sum").GetDouble(), $"{expected} GRU output sum");
            AssertClose(gradient, info.GetProperty("gru_gradient_sum").GetDouble(), $"{expected} GRU gradient sum");
        }
    }
}

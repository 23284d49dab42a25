using System.CommandLine;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Cli.Commands;

/// <summary>
/// `noisyrnn info`: the SIMD tier in use, what the hardware accelerates, and (with --checksum) a fixed forward and
/// backward pass whose sums let a test compare ISA tiers across processes (DOTNET_EnableAVX512=0,
/// DOTNET_EnableHWIntrinsic=0).
/// </summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var checksum = new Option<bool>("--checksum") { Description = "Also run a fixed forward+BPTT pass and print sums of its outputs and gradient." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("info", "Show the SIMD tier, processor count, and the library version and commit.") { checksum, json };
        command.SetAction(parse =>
        {
            var info = new Dictionary<string, object>
            {
                ["version"] = BuildInfo.Version,
                ["commit"] = BuildInfo.Commit,
                ["isa_tier"] = Isa.Tier.ToString(),
                ["vector512"] = Vector512.IsHardwareAccelerated,
                ["vector256"] = Vector256.IsHardwareAccelerated,
                ["vector128"] = Vector128.IsHardwareAccelerated,
                ["processors"] = Environment.ProcessorCount,
            };
            if (parse.GetValue(checksum))
            {
                var (outputs, gradient) = Checksum();
                info["output_sum"] = outputs;
                info["gradient_sum"] = gradient;
                var (noiseSum, noiseBits) = NoiseChecksum();
                info["noise_sum"] = noiseSum;
                info["noise_bits"] = noiseBits;
                var (gruOutputs, gruGradient) = GruChecksum();
                info["gru_output_sum"] = gruOutputs;
                info["gru_gradient_sum"] = gruGradient;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(info));
            }
            else
            {
                foreach (var (key, value) in info)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-14} {value}"));
            }
            return 0;
        });
        return command;
    }

    /// <summary>Sum and exact bit hash (FNV-1a over the float bit patterns, hex) of 100,003 Gaussian draws from seed 5,
    /// so tests can compare the generator's bits across forced SIMD tiers.</summary>
    internal static (double Sum, string Bits) NoiseChecksum()
    {
        var draws = new float[100_003];
        new GaussianNoiseSource(5).Fill(draws);
        double sum = 0;
        ulong hash = 14695981039346656037UL;
        foreach (float v in draws)
        {
            sum += v;
            hash = (hash ^ BitConverter.SingleToUInt32Bits(v)) * 1099511628211UL;
        }
        return (sum, hash.ToString("x16", CultureInfo.InvariantCulture));
    }

    /// <summary>A fixed, seeded forward and backward pass at sizes that leave vector tails.</summary>
    internal static (double OutputSum, double GradientSum) Checksum() =>
        Checksum(VanillaRnn.CreateInitialized(new VanillaRnnOptions(ChecksumInputs, ChecksumHidden, ChecksumOutputs, ChecksumOutputs, Activation.Tanh), 42));

    /// <summary>The same fixed pass through a GRU (tanh candidate, the GRU's fused gate kernels and three recurrent products).</summary>
    internal static (double OutputSum, double GradientSum) GruChecksum() =>
        Checksum(GruRnn.CreateInitialized(new GruRnnOptions(ChecksumInputs, ChecksumHidden, ChecksumOutputs, ChecksumOutputs, Activation.Tanh), 42));

    private const int ChecksumInputs = 3, ChecksumHidden = 67, ChecksumOutputs = 37;

    private static (double OutputSum, double GradientSum) Checksum(IRecurrentNetwork model)
    {
        const int batch = 7, time = 13, outputs = ChecksumOutputs, inputs = ChecksumInputs;
        var tape = model.CreateTape(batch, time);
        var x = new float[batch * time * inputs];
        var init = new float[batch * outputs];
        new GaussianNoiseSource(1).Fill(x);
        new GaussianNoiseSource(2).Fill(init);
        model.Forward(x, init, NoiseLevels.Recurrent(0.05f), NoiseStreams.FromSeed(3), tape);
        var dOut = new float[batch * time * outputs];
        new GaussianNoiseSource(4).Fill(dOut);
        var grad = model.Parameters.CloneEmpty();
        model.Backward(tape, dOut, grad);
        double o = 0, g = 0;
        foreach (float v in tape.Outputs) o += v;
        foreach (float v in grad.Values) g += Math.Abs(v);
        return (o, g);
    }
}

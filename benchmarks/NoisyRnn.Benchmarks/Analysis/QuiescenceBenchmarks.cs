using BenchmarkDotNet.Attributes;
using NoisyRnn.Analysis;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Benchmarks.Analysis;

/// <summary>
/// A quiescent (input-free, noise-driven) run at the paper's spatial size: 200 chains of a 512-unit ReLU network with
/// 512 place-cell outputs, decoded by the top-3 rule every step (Quiescence.Run). 1000 steps is the paper's KL run;
/// the benchmark uses 200 steps (two decode chunks) to keep an iteration short; the time scales linearly.
/// </summary>
[MemoryDiagnoser]
public class QuiescenceBenchmarks
{
    private const int Chains = 200, Hidden = 512, Cells = 512;
    private VanillaRnn _model = null!;
    private PlaceCells _cells = null!;
    private float[] _initialHidden = null!;
    private ulong _seed;

    /// <summary>Quiescent steps per run.</summary>
    [Params(200)]
    public int Steps { get; set; }

    /// <summary>Builds an initialised network and start states encoded from random positions.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, Hidden, Cells, Cells), 5);
        _cells = PlaceCells.CreateRandom(Cells, 0.2, 2.2, 2.2, 6);
        var rng = new Random(7);
        var positions = Enumerable.Range(0, 2 * Chains).Select(_ => (float)(rng.NextDouble() * 2.2 - 1.1)).ToArray();
        var codes = new float[Chains * Cells];
        _cells.Encode(positions, codes);
        _initialHidden = new float[Chains * Hidden];
        _model.Encode(codes, Chains, _initialHidden);
        Console.WriteLine($"// ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
    }

    /// <summary>One quiescent run with the scaled quiescent noise (sigma sqrt 2, sigma = 0.01); returns a decoded value.</summary>
    [Benchmark]
    public float QuiescentRun()
    {
        float[] decoded = Quiescence.Run(_model, _initialHidden, Chains, Steps, 0.01f * MathF.Sqrt(2f), new GaussianNoiseSource(++_seed),
            (outputs, positions) => _cells.Decode(outputs, positions), 2);
        return decoded[^1];
    }
}

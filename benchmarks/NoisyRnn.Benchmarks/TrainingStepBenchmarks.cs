using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// One forward pass plus BPTT of the vanilla RNN at the quick spatial configuration: batch 200, 100 steps, 128 hidden
/// units, 2 inputs, 512 place cells, ReLU, recurrent noise std 0.01 (Gaussian draws generated inside the step).
/// </summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private const int Batch = 200, Time = 100, Hidden = 128, Inputs = 2, Outputs = 512;
    private VanillaRnn _model = null!;
    private VanillaTape _tape = null!;
    private ParameterSet _gradient = null!;
    private float[] _inputs = null!, _initState = null!, _outputGradient = null!;
    private NoiseStreams _streams = null!;
    private readonly NoiseLevels _noise = NoiseLevels.Recurrent(0.01f);

    /// <summary>Builds the model, tape and seeded data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(Inputs, Hidden, Outputs, Outputs), 1);
        _tape = _model.CreateTape(Batch, Time);
        _gradient = _model.Parameters.CloneEmpty();
        var rng = new Random(2);
        _inputs = Enumerable.Range(0, Batch * Time * Inputs).Select(_ => (float)(rng.NextDouble() * 0.02 - 0.01)).ToArray();
        _initState = Enumerable.Range(0, Batch * Outputs).Select(_ => (float)rng.NextDouble() / Outputs).ToArray();
        _outputGradient = Enumerable.Range(0, Batch * Time * Outputs).Select(_ => (float)(rng.NextDouble() - 0.5) * 1e-6f).ToArray();
        _streams = NoiseStreams.FromSeed(3);
        Console.WriteLine($"// ISA tier: {Isa.Tier}");
    }

    /// <summary>Forward, then backward into a zeroed gradient.</summary>
    [Benchmark]
    public float ForwardBackward()
    {
        _model.Forward(_inputs, _initState, _noise, _streams, _tape);
        Array.Clear(_gradient.Values);
        _model.Backward(_tape, _outputGradient, _gradient);
        return _gradient.Values[0];
    }
}

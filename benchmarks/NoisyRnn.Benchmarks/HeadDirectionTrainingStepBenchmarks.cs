using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// One whole training step at the paper's head-direction configuration (Krishna et al. 2024, App. B): batch 200 x 100
/// steps, 1 input (angular velocity), 128 hidden units, 512 HD cells (spread pi/6), ReLU, RNN dt 0.5, recurrent noise
/// std 0.1. The step makes the calls PathIntegrationTrainer makes: a fresh seeded batch, fresh noise streams, forward,
/// MSE loss, BPTT into a zeroed gradient and an Adam update.
/// </summary>
[MemoryDiagnoser]
public class HeadDirectionTrainingStepBenchmarks
{
    private const int Batch = 200, Time = 100, Hidden = 128, Cells = 512;
    private IPathIntegrationTask _task = null!;
    private IRecurrentNetwork _model = null!;
    private RecurrentTape _tape = null!;
    private ParameterSet _gradient = null!;
    private IPathIntegrationBatch _data = null!;
    private float[] _outputGradient = null!;
    private Adam _adam = null!;
    private readonly NoiseLevels _noise = NoiseLevels.Recurrent(0.1f);
    private ulong _step;

    /// <summary>Builds the task, model, tape and optimizer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = Time }, new HeadDirectionCells(Cells, Math.PI / 6));
        _model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, Hidden, Cells, Cells, Activation.Relu, 1f, 0.5f), 1);
        _tape = _model.CreateTape(Batch, Time);
        _gradient = _model.Parameters.CloneEmpty();
        _data = _task.AllocateBatch(Batch);
        _outputGradient = new float[Batch * Time * Cells];
        _adam = new Adam(new AdamOptions(), _model.Parameters.Length);
        Console.WriteLine($"// ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
    }

    /// <summary>Data, noise, forward, loss, backward and Adam; returns the loss.</summary>
    [Benchmark]
    public double TrainingStep()
    {
        _step++;
        _task.NextBatch(new SeededTaskRandom(_step), _data);
        _model.Forward(_data.Inputs, _data.InitialState, _noise, NoiseStreams.FromSeed(_step), _tape);
        double loss = MseLoss.Compute(_tape.Outputs, _data.Targets, _outputGradient);
        Array.Clear(_gradient.Values);
        _model.Backward(_tape, _outputGradient, _gradient);
        _adam.Step(_model.Parameters.Values, _gradient.Values);
        return loss;
    }
}

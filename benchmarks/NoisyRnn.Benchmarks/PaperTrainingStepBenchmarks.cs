using BenchmarkDotNet.Attributes;
using NoisyRnn.Kernels;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;
using NoisyRnn.Training;

namespace NoisyRnn.Benchmarks;

/// <summary>
/// One whole training step at the paper's three configurations (Krishna et al. 2024, App. B), batch 200 x 100 steps:
/// spatial (2 velocity inputs, 512 hidden units, 512 place cells, RNN dt 0.2, recurrent noise std 0.01, ReLU; 63.2 GFLOP
/// of matrix products), head direction (1 angular-velocity input, 128 hidden units, 512 HD cells of spread pi/6, RNN
/// dt 0.5, recurrent noise std 0.1, ReLU; 9.9 GFLOP) and the spatial GRU (the spatial configuration with a 512-unit GRU,
/// tanh candidate, as the reproduce presets paper-spatial-gru-*; 126.3 GFLOP: three recurrent matrices). <see cref="TrainingStep"/> makes the calls PathIntegrationTrainer makes: a fresh
/// seeded batch with its targets deferred, fresh noise streams, one ForwardBackwardMse (forward, MSE loss and BPTT with the
/// readout fused in cache and the targets encoded there, row group by row group) into a zeroed gradient and an Adam update.
/// <see cref="SeparateReadoutStep"/>, the baseline, makes the same step with the targets encoded into their array and
/// Forward, MseLoss.Compute and Backward as three calls (outputs and their gradient written to memory); same gradient bits.
/// </summary>
[MemoryDiagnoser]
public class PaperTrainingStepBenchmarks
{
    private const int Batch = 200, Time = 100, Cells = 512;
    private IPathIntegrationTask _task = null!;
    private IRecurrentNetwork _model = null!;
    private NoisyRnn.Training.TrainingStep _trainingStep = null!;
    private RecurrentTape _tape = null!;
    private ParameterSet _gradient = null!;
    private IPathIntegrationBatch _data = null!;
    private float[] _outputGradient = null!;
    private Adam _adam = null!;
    private NoiseLevels _noise = null!;
    private ulong _step;

    /// <summary>"spatial", "head-direction" or "spatial-gru".</summary>
    [Params("spatial", "head-direction", "spatial-gru")]
    public string Task { get; set; } = "spatial";

    /// <summary>Builds the task, model, tape and optimizer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (Task is "spatial" or "spatial-gru")
        {
            var options = new SpatialNavigationOptions { SequenceLength = Time };
            _task = new SpatialNavigationTask(options, PlaceCells.CreateRandom(Cells, 0.2, options.BoxWidth, options.BoxHeight, 0));
            _model = Task == "spatial"
                ? VanillaRnn.CreateInitialized(new VanillaRnnOptions(2, 512, Cells, Cells, Activation.Relu, 1f, 0.2f), 1)
                : GruRnn.CreateInitialized(new GruRnnOptions(2, 512, Cells, Cells, Activation.Tanh, 1f, 0.2f), 1);
            _noise = NoiseLevels.Recurrent(0.01f);
        }
        else
        {
            _task = new HeadDirectionTask(new HeadDirectionOptions { SequenceLength = Time }, new HeadDirectionCells(Cells, Math.PI / 6));
            _model = VanillaRnn.CreateInitialized(new VanillaRnnOptions(1, 128, Cells, Cells, Activation.Relu, 1f, 0.5f), 1);
            _noise = NoiseLevels.Recurrent(0.1f);
        }
        _adam = new Adam(new AdamOptions(), _model.Parameters.Length);
        _trainingStep = new NoisyRnn.Training.TrainingStep(_model, _adam, Batch, Time);
        _tape = _trainingStep.Tape;
        _gradient = _trainingStep.Gradient;
        _data = _task.AllocateBatch(Batch);
        _outputGradient = new float[Batch * Time * Cells];
        Console.WriteLine($"// ISA tier: {Isa.Tier}, processors: {Environment.ProcessorCount}");
    }

    /// <summary>Data, then the trainer's step: noise, the fused forward + loss + backward, the finiteness checks and Adam;
    /// returns the loss.</summary>
    [Benchmark]
    public double TrainingStep()
    {
        _step++;
        _task.NextBatch(new SeededTaskRandom(_step), _data, encodeTargets: false);
        return _trainingStep.Run((int)_step, _data, _noise, NoiseStreams.FromSeed(_step));
    }

    /// <summary>The same step with the readout, the loss and BPTT as separate calls (the trainer before the fused readout).</summary>
    [Benchmark(Baseline = true)]
    public double SeparateReadoutStep()
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

using System.Diagnostics;
using System.Numerics.Tensors;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Training;

/// <summary>
/// Trains a vanilla RNN with BPTT and Adam to path-integrate on the spatial navigation task: velocity input
/// [batch, time, 2], initial state = place-cell code of the start position, targets = place-cell codes of the
/// positions [batch, time, cells], MSE loss (Krishna et al. 2024, Sec. 4.1; reference trainer.py).
/// Every step draws a fresh batch and fresh noise from seeds derived from <see cref="TrainingOptions.Seed"/> and the
/// step number, so runs are reproducible and a resumed run continues exactly where it stopped.
/// </summary>
public sealed class SpatialTrainer
{
    private readonly VanillaRnn _model;
    private readonly SpatialNavigationTask _task;
    private readonly SpatialNavigationBatch _testBatch;
    private ForwardTape? _testTape;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The network to train in place; InputSize must be 2 and OutputSize = InitSize = place-cell count.</param>
    /// <param name="task">The task: trajectory generator (sequence length = time steps per batch) and place cells.</param>
    /// <param name="options">Training options; validated.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The model's sizes do not fit the task, or the task has fewer than 3 place cells
    /// (evaluation decodes positions from the top 3; ParamName "task").</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SpatialTrainer(VanillaRnn model, SpatialNavigationTask task, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        var placeCells = task.PlaceCells;
        options.Validate();
        if (placeCells.Count < 3)
            throw new ArgumentException($"task has {placeCells.Count} place cell(s); expected at least 3 (positions are decoded from the 3 most active cells).", nameof(task));
        var o = model.Options;
        if (o.InputSize != 2) throw new ArgumentException($"model.Options.InputSize is {o.InputSize}; the spatial task needs 2 (velocity x, y).", nameof(model));
        if (o.OutputSize != placeCells.Count) throw new ArgumentException($"model.Options.OutputSize is {o.OutputSize}; expected the place-cell count {placeCells.Count}.", nameof(model));
        if (o.InitSize != placeCells.Count) throw new ArgumentException($"model.Options.InitSize is {o.InitSize}; expected the place-cell count {placeCells.Count}.", nameof(model));
        _model = model;
        _task = task;
        Options = options;
        _testBatch = task.NextBatch(options.TestBatchSize, new SeededTaskRandom(SeedSequence.Derive(options.Seed, SeedSequence.TestStream, 0)));
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The held-out batch used by <see cref="Evaluate"/> (fixed for the trainer's seed).</summary>
    public SpatialNavigationBatch TestBatch => _testBatch;

    /// <summary>
    /// Runs training from step 0, or from the checkpoint at <paramref name="checkpointPath"/> when
    /// <paramref name="resume"/> is true and the file exists.
    /// </summary>
    /// <param name="progress">Receives a report after every step (may be null).</param>
    /// <param name="checkpointPath">Where to write checkpoints (every <see cref="TrainingOptions.CheckpointEvery"/> steps and at
    /// the end), or null for none.</param>
    /// <param name="resume">Continue from the checkpoint at <paramref name="checkpointPath"/> if it exists.</param>
    /// <param name="cancellationToken">Stops between steps; the last checkpoint stays valid.</param>
    /// <returns>Evaluations and timings.</returns>
    /// <exception cref="TrainingDivergedException">The loss, a gradient or the updated parameters became non-finite; the update
    /// was not applied (the model keeps its last finite parameters).</exception>
    /// <exception cref="ArgumentException"><paramref name="checkpointPath"/> is empty or white space.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt, belongs to another model shape, or is
    /// beyond <see cref="TrainingOptions.Steps"/>. A checkpoint exactly at Steps trains nothing and evaluates once.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingResult Train(IProgress<TrainingProgress>? progress = null, string? checkpointPath = null, bool resume = false,
        CancellationToken cancellationToken = default)
    {
        var o = Options;
        if (checkpointPath != null) ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        var adam = new Adam(o.Adam, _model.Parameters.Length);
        int startStep = 0;
        if (resume && checkpointPath != null && File.Exists(checkpointPath))
        {
            var saved = Checkpoint.Load(checkpointPath);
            if (saved.Model.Options != _model.Options)
                throw new InvalidDataException($"Checkpoint {checkpointPath} describes {saved.Model.Options}, not the model being trained ({_model.Options}).");
            if (saved.Step > o.Steps)
                throw new InvalidDataException($"Checkpoint {checkpointPath} is at step {saved.Step}; expected at most Steps = {o.Steps}. Raise Steps or start a new run.");
            saved.Model.Parameters.Values.CopyTo(_model.Parameters.Values, 0);
            if (saved.AdamFirstMoment != null && saved.AdamSecondMoment != null)
            {
                saved.AdamFirstMoment.CopyTo(adam.FirstMoment);
                saved.AdamSecondMoment.CopyTo(adam.SecondMoment);
                adam.RestoreStepCount(saved.AdamStepCount);
            }
            startStep = saved.Step;
        }

        int batch = o.BatchSize, time = _task.Options.SequenceLength, cells = _task.PlaceCells.Count;
        var tape = _model.CreateTape(batch, time);
        var gradient = _model.Parameters.CloneEmpty();
        var previous = new float[_model.Parameters.Length];
        var data = new SpatialNavigationBatch(batch, time, cells);
        var outputGradient = new float[batch * time * cells];
        var evaluations = new List<SpatialEvaluation>();
        var clock = Stopwatch.StartNew();
        double loss = double.NaN;

        for (int step = startStep + 1; step <= o.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _task.NextBatch(new SeededTaskRandom(SeedSequence.Derive(o.Seed, SeedSequence.TaskStream, (ulong)step)), data);
            var streams = NoiseStreams.FromSeed(SeedSequence.Derive(o.Seed, SeedSequence.NoiseStream, (ulong)step), o.NoiseDistribution);
            _model.Forward(data.Inputs, data.InitialState, o.Noise, streams, tape);
            loss = MseLoss.Compute(tape.Outputs, data.Targets, outputGradient);
            if (!double.IsFinite(loss)) throw new TrainingDivergedException(step, "the loss");
            Array.Clear(gradient.Values);
            _model.Backward(tape, outputGradient, gradient);
            if (!TensorPrimitives.IsFiniteAll<float>(gradient.Values))
            {
                string name = gradient.Views.First(v => !TensorPrimitives.IsFiniteAll<float>(gradient[v.Name])).Name;
                throw new TrainingDivergedException(step, $"the gradient of {name}");
            }
            // A finite gradient can still overflow the update (a learning rate near the float32 limit): keep the last
            // finite parameters so that the model, evaluations and checkpoints never see NaN or infinity.
            _model.Parameters.Values.CopyTo(previous, 0);
            adam.Step(_model.Parameters.Values, gradient.Values);
            if (!TensorPrimitives.IsFiniteAll<float>(_model.Parameters.Values))
            {
                previous.CopyTo(_model.Parameters.Values, 0);
                throw new TrainingDivergedException(step, "the parameters after the Adam update");
            }

            SpatialEvaluation? evaluation = null;
            if (step % o.EvaluateEvery == 0 || step == o.Steps)
            {
                evaluation = Evaluate(step);
                evaluations.Add(evaluation.Value);
            }
            if (checkpointPath != null && (step == o.Steps || (o.CheckpointEvery > 0 && step % o.CheckpointEvery == 0)))
                Checkpoint.Save(checkpointPath, _model, step, adam);
            progress?.Report(new TrainingProgress(step, o.Steps, loss, clock.Elapsed.TotalSeconds, evaluation));
        }
        // A resumed run that was already complete trains nothing; still report where it stands.
        if (evaluations.Count == 0) evaluations.Add(Evaluate(startStep));
        return new TrainingResult(evaluations, loss, clock.Elapsed.TotalSeconds, startStep);
    }

    /// <summary>
    /// Evaluates the current parameters on the held-out batch with the training noise on (fixed noise seed, so
    /// evaluations at different steps are comparable): MSE loss and top-3 position decoding error.
    /// </summary>
    /// <param name="step">Step number to record in the result.</param>
    /// <returns>The held-out metrics.</returns>
    /// <exception cref="TrainingDivergedException">The network's held-out readout is not finite (parameters that are finite
    /// but so large that W_out h overflows).</exception>
    public SpatialEvaluation Evaluate(int step = 0)
    {
        int b = Options.TestBatchSize, t = _testBatch.TimeSteps;
        _testTape ??= _model.CreateTape(b, t);
        var streams = NoiseStreams.FromSeed(SeedSequence.Derive(Options.Seed, SeedSequence.TestStream, 1), Options.NoiseDistribution);
        _model.Forward(_testBatch.Inputs, _testBatch.InitialState, Options.Noise, streams, _testTape);
        double loss = MseLoss.Compute(_testTape.Outputs, _testBatch.Targets, Span<float>.Empty);
        // Finite but huge parameters can overflow the readout; decoding would reject it as a bad argument.
        if (!TensorPrimitives.IsFiniteAll<float>(_testTape.Outputs)) throw new TrainingDivergedException(step, "the held-out readout");
        var decoded = new float[b * t * 2];
        _task.PlaceCells.Decode(_testTape.Outputs, decoded);
        (double error, double mse) = PositionErrors(decoded, _testBatch.Positions);
        return new SpatialEvaluation(step, loss, error, mse);
    }

    /// <summary>Mean Euclidean error (m) and mean per-coordinate squared error (m^2) between two [n, 2] position arrays.</summary>
    /// <param name="decoded">Decoded positions [n, 2].</param>
    /// <param name="truth">True positions [n, 2].</param>
    /// <returns>(mean distance, mean squared coordinate error).</returns>
    /// <exception cref="ArgumentException">Lengths differ or are not even, or a value is NaN or infinite.</exception>
    public static (double MeanDistance, double MeanSquaredError) PositionErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth)
    {
        Guard.Length(truth.Length, decoded.Length, nameof(truth), "decoded.Length");
        if (decoded.Length == 0 || decoded.Length % 2 != 0) throw new ArgumentException($"decoded must hold [n, 2] positions; length is {decoded.Length}.", nameof(decoded));
        Guard.AllFinite(decoded, nameof(decoded));
        Guard.AllFinite(truth, nameof(truth));
        double dist = 0, sq = 0;
        for (int i = 0; i < decoded.Length; i += 2)
        {
            double dx = decoded[i] - truth[i], dy = decoded[i + 1] - truth[i + 1];
            double d2 = dx * dx + dy * dy;
            sq += d2;
            dist += Math.Sqrt(d2);
        }
        int n = decoded.Length / 2;
        return (dist / n, sq / (2.0 * n));
    }
}

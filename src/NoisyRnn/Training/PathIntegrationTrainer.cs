using System.Diagnostics;
using System.Numerics.Tensors;
using NoisyRnn.Models;
using NoisyRnn.Noise;
using NoisyRnn.Tasks;

namespace NoisyRnn.Training;

/// <summary>
/// Trains any <see cref="IRecurrentNetwork"/> (vanilla RNN or GRU) with BPTT, the MSE loss and Adam on any
/// <see cref="IPathIntegrationTask"/> (spatial navigation, head direction): Krishna et al. 2024, Sec. 4; reference trainer.py.
/// Every step draws a fresh batch and fresh noise from seeds derived from <see cref="TrainingOptions.Seed"/> and the step
/// number, so runs are reproducible and a resumed run continues exactly where it stopped.
/// </summary>
public sealed class PathIntegrationTrainer
{
    private readonly IRecurrentNetwork _model;
    private readonly IPathIntegrationTask _task;
    private RecurrentTape? _testTape;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The network to train in place; InputSize = task.InputSize, OutputSize = InitSize = task.OutputSize.</param>
    /// <param name="task">The task; its SequenceLength is the number of time steps per batch.</param>
    /// <param name="options">Training options; validated.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The model's sizes do not fit the task (ParamName "model"), or the task has fewer
    /// than 3 cells (evaluation decodes from the top 3; ParamName "task").</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public PathIntegrationTrainer(IRecurrentNetwork model, IPathIntegrationTask task, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = model.NetworkOptions;
        if (o.InputSize != task.InputSize) throw new ArgumentException($"model InputSize is {o.InputSize}; the task needs {task.InputSize}.", nameof(model));
        if (o.OutputSize != task.OutputSize) throw new ArgumentException($"model OutputSize is {o.OutputSize}; expected the task's cell count {task.OutputSize}.", nameof(model));
        if (o.InitSize != task.OutputSize) throw new ArgumentException($"model InitSize is {o.InitSize}; expected the task's cell count {task.OutputSize}.", nameof(model));
        if (task.OutputSize < 3)
            throw new ArgumentException($"task has {task.OutputSize} cell(s); expected at least 3 (outputs are decoded from the 3 most active cells).", nameof(task));
        _model = model;
        _task = task;
        Options = options;
        TestBatch = task.AllocateBatch(options.TestBatchSize);
        task.NextBatch(new SeededTaskRandom(SeedSequence.Derive(options.Seed, SeedSequence.TestStream, 0)), TestBatch);
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The network being trained.</summary>
    public IRecurrentNetwork Model => _model;

    /// <summary>The task.</summary>
    public IPathIntegrationTask Task => _task;

    /// <summary>The held-out batch used by <see cref="Evaluate"/> (fixed for the trainer's seed).</summary>
    public IPathIntegrationBatch TestBatch { get; }

    /// <summary>
    /// Runs training from step 0, or from the checkpoint at <paramref name="checkpointPath"/> when <paramref name="resume"/>
    /// is true and the file exists.
    /// </summary>
    /// <param name="progress">Receives a report after every step (may be null); evaluation steps carry
    /// <see cref="TrainingProgress.Evaluation"/>.</param>
    /// <param name="checkpointPath">Where to write checkpoints (every <see cref="TrainingOptions.CheckpointEvery"/> steps and at
    /// the end), or null for none.</param>
    /// <param name="resume">Continue from the checkpoint at <paramref name="checkpointPath"/> if it exists.</param>
    /// <param name="cancellationToken">Stops between steps; the last checkpoint stays valid.</param>
    /// <param name="checkpointMetadata">String pairs written into every checkpoint's header beside the trainer's own
    /// (for example the network's context); null for none. Keys starting with "trainer." are reserved.</param>
    /// <returns>Evaluations and timings. A resumed run returns the evaluations saved in its checkpoint followed by
    /// this call's, so the learning curve is whole; <see cref="PathIntegrationResult.FinalLoss"/> is the last training
    /// loss, also when the checkpoint was complete and nothing was trained. Every checkpoint also records the cumulative
    /// training wall time up to its step (<see cref="PathIntegrationResult.TrainingSeconds"/>), which a resumed run
    /// continues from.</returns>
    /// <exception cref="TrainingDivergedException">The loss or a gradient became non-finite; the update was not applied.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt or belongs to another model.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public PathIntegrationResult Train(IProgress<TrainingProgress>? progress = null, string? checkpointPath = null, bool resume = false,
        CancellationToken cancellationToken = default, IReadOnlyDictionary<string, string>? checkpointMetadata = null)
    {
        if (checkpointMetadata?.Keys.FirstOrDefault(k => k.StartsWith(TrainerMetadataPrefix, StringComparison.Ordinal)) is { } reserved)
            throw new ArgumentException($"checkpointMetadata key '{reserved}' starts with the reserved prefix '{TrainerMetadataPrefix}'.", nameof(checkpointMetadata));
        var o = Options;
        if (checkpointPath != null) ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        var adam = new Adam(o.Adam, _model.Parameters.Length);
        int startStep = 0, timedFromStep = 0;
        var evaluations = new List<TaskEvaluation>();
        double loss = double.NaN, startSeconds = 0;
        if (resume && checkpointPath != null && File.Exists(checkpointPath))
        {
            var saved = Checkpoint.Load(checkpointPath);
            if (saved.Network.Kind != _model.Kind || !saved.Network.NetworkOptions.Equals(_model.NetworkOptions))
                throw new InvalidDataException($"Checkpoint {checkpointPath} describes a {saved.Network.Kind} {saved.Network.NetworkOptions}, not the model being trained ({_model.Kind} {_model.NetworkOptions}).");
            if (saved.Step > o.Steps)
                throw new InvalidDataException($"Checkpoint {checkpointPath} is at step {saved.Step}; expected at most Steps = {o.Steps}. Raise Steps or start a new run.");
            saved.Network.Parameters.Values.CopyTo(_model.Parameters.Values, 0);
            if (saved.AdamFirstMoment != null && saved.AdamSecondMoment != null)
            {
                saved.AdamFirstMoment.CopyTo(adam.FirstMoment);
                saved.AdamSecondMoment.CopyTo(adam.SecondMoment);
                adam.RestoreStepCount(saved.AdamStepCount);
            }
            startStep = saved.Step;
            (evaluations, loss, startSeconds, timedFromStep) = TrainerState.Read(saved.Metadata, startStep);
        }

        int batch = o.BatchSize;
        var trainingStep = new TrainingStep(_model, adam, batch, _task.SequenceLength);
        var data = _task.AllocateBatch(batch);
        // With overlap, step k + 1's batch is generated into a second buffer while step k trains. Each batch comes from
        // its own derived seed, so the batches (and the whole run) are bit-identical to the sequential order.
        IPathIntegrationBatch? spare = o.OverlapDataGeneration ? _task.AllocateBatch(batch) : null;
        Task? pending = null;
        var clock = Stopwatch.StartNew();
        // Cumulative training time at the last completed step: the checkpoint's, plus this call's up to that step.
        double trainingSeconds = startSeconds;

        try
        {
            for (int step = startStep + 1; step <= o.Steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (pending is null) FillBatch(step, data);
                else
                {
                    pending.GetAwaiter().GetResult();
                    pending = null;
                    (data, spare) = (spare!, data);
                }
                if (spare is not null && step < o.Steps)
                {
                    var next = spare;
                    int nextStep = step + 1;
                    pending = System.Threading.Tasks.Task.Run(() => FillBatch(nextStep, next), CancellationToken.None);
                }
                loss = trainingStep.Run(step, data, o.Noise, StepNoise(step));
                TaskEvaluation? evaluation = null;
                if (step % o.EvaluateEvery == 0 || step == o.Steps)
                {
                    evaluation = Evaluate(step);
                    evaluations.Add(evaluation.Value);
                }
                trainingSeconds = startSeconds + clock.Elapsed.TotalSeconds;
                if (checkpointPath != null && (step == o.Steps || (o.CheckpointEvery > 0 && step % o.CheckpointEvery == 0)))
                    Checkpoint.Save(checkpointPath, _model, step, adam, TrainerState.Write(checkpointMetadata, evaluations, loss, trainingSeconds, timedFromStep));
                progress?.Report(new TrainingProgress(step, o.Steps, loss, clock.Elapsed.TotalSeconds, evaluation) { StartStep = startStep, StartSeconds = startSeconds });
            }
        }
        finally
        {
            // Never leave a generator writing into a buffer after Train returns or throws; its own errors are secondary.
            if (pending is not null)
            {
                try { pending.GetAwaiter().GetResult(); }
                catch (Exception) { }
            }
        }
        // A resumed run that was already complete trains nothing; still report where it stands.
        if (evaluations.Count == 0) evaluations.Add(Evaluate(startStep));
        return new PathIntegrationResult(evaluations, loss, clock.Elapsed.TotalSeconds, startStep)
        {
            StartSeconds = startSeconds,
            TrainingSeconds = trainingSeconds,
            TimedFromStep = timedFromStep,
        };
    }

    /// <summary>Prefix of the checkpoint metadata keys the trainer writes itself (its learning curve, last loss and cumulative
    /// training time).</summary>
    public const string TrainerMetadataPrefix = "trainer.";

    /// <summary>Step <paramref name="step"/>'s batch, drawn from its own derived task seed.</summary>
    /// <remarks>The targets are deferred: the fused training pass encodes them row group by row group in cache
    /// (<see cref="IPathIntegrationBatch.TargetRows"/>), with the same values.</remarks>
    private void FillBatch(int step, IPathIntegrationBatch destination) =>
        _task.NextBatch(new SeededTaskRandom(SeedSequence.Derive(Options.Seed, SeedSequence.TaskStream, (ulong)step)), destination, encodeTargets: false);

    /// <summary>Step <paramref name="step"/>'s training noise, drawn from its own derived noise seed.</summary>
    private NoiseStreams StepNoise(int step) =>
        NoiseStreams.FromSeed(SeedSequence.Derive(Options.Seed, SeedSequence.NoiseStream, (ulong)step), Options.NoiseDistribution);

    /// <summary>
    /// Evaluates the current parameters on the held-out batch with the training noise on (fixed noise seed, so evaluations
    /// at different steps are comparable): MSE loss and top-3 decoding error.
    /// </summary>
    /// <param name="step">Step number to record in the result.</param>
    /// <returns>The held-out metrics.</returns>
    /// <exception cref="TrainingDivergedException">The held-out readout is not finite (parameters that are finite but so
    /// large that the readout overflows).</exception>
    public TaskEvaluation Evaluate(int step = 0)
    {
        int b = TestBatch.BatchSize, t = TestBatch.TimeSteps;
        _testTape ??= _model.CreateTape(b, t);
        var streams = NoiseStreams.FromSeed(SeedSequence.Derive(Options.Seed, SeedSequence.TestStream, 1), Options.NoiseDistribution);
        _model.Forward(TestBatch.Inputs, TestBatch.InitialState, Options.Noise, streams, _testTape);
        double loss = MseLoss.Compute(_testTape.Outputs, TestBatch.Targets, Span<float>.Empty);
        // Finite but huge parameters can overflow the readout; decoding would reject it as a bad argument.
        if (!TensorPrimitives.IsFiniteAll<float>(_testTape.Outputs)) throw new TrainingDivergedException(step, "the held-out readout");
        var decoded = new float[b * t * _task.DecodedSize];
        _task.Decode(_testTape.Outputs, decoded);
        (double error, double mse) = _task.DecodingErrors(decoded, TestBatch.Coordinates);
        return new TaskEvaluation(step, loss, error, mse);
    }
}

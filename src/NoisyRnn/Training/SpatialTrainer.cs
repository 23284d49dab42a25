using NoisyRnn.Models;
using NoisyRnn.Tasks;

namespace NoisyRnn.Training;

/// <summary>
/// Trains a network with BPTT and Adam to path-integrate on the spatial navigation task: velocity input
/// [batch, time, 2], initial state = place-cell code of the start position, targets = place-cell codes of the
/// positions [batch, time, cells], MSE loss (Krishna et al. 2024, Sec. 4.1; reference trainer.py). A thin spatial view
/// of <see cref="PathIntegrationTrainer"/> whose evaluations are in metres (<see cref="SpatialEvaluation"/>).
/// Every step draws a fresh batch and fresh noise from seeds derived from <see cref="TrainingOptions.Seed"/> and the
/// step number, so runs are reproducible and a resumed run continues exactly where it stopped.
/// </summary>
public sealed class SpatialTrainer
{
    private readonly PathIntegrationTrainer _inner;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The network (vanilla RNN or GRU) to train in place; InputSize must be 2 and OutputSize = InitSize = place-cell count.</param>
    /// <param name="task">The task: trajectory generator (sequence length = time steps per batch) and place cells.</param>
    /// <param name="options">Training options; validated.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The model's sizes do not fit the task.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SpatialTrainer(IRecurrentNetwork model, SpatialNavigationTask task, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        _inner = new PathIntegrationTrainer(model, task, options);
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Options => _inner.Options;

    /// <summary>The generic trainer doing the work.</summary>
    public PathIntegrationTrainer Inner => _inner;

    /// <summary>The held-out batch used by <see cref="Evaluate"/> (fixed for the trainer's seed).</summary>
    public SpatialNavigationBatch TestBatch => (SpatialNavigationBatch)_inner.TestBatch;

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
    /// <exception cref="TrainingDivergedException">The loss or a gradient became non-finite; the update was not applied.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt or belongs to another model shape.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingResult Train(IProgress<TrainingProgress>? progress = null, string? checkpointPath = null, bool resume = false,
        CancellationToken cancellationToken = default)
    {
        IProgress<TrainingProgress>? mapped = progress is null ? null : new SpatialProgress(progress);
        var result = _inner.Train(mapped, checkpointPath, resume, cancellationToken);
        return new TrainingResult(result.Evaluations.Select(ToSpatial).ToList(), result.FinalLoss, result.WallSeconds, result.StartStep);
    }

    /// <summary>
    /// Evaluates the current parameters on the held-out batch with the training noise on (fixed noise seed, so
    /// evaluations at different steps are comparable): MSE loss and top-3 position decoding error.
    /// </summary>
    /// <param name="step">Step number to record in the result.</param>
    /// <returns>The held-out metrics.</returns>
    public SpatialEvaluation Evaluate(int step = 0) => ToSpatial(_inner.Evaluate(step));

    /// <summary>Mean Euclidean error (m) and mean per-coordinate squared error (m^2) between two [n, 2] position arrays.</summary>
    /// <param name="decoded">Decoded positions [n, 2].</param>
    /// <param name="truth">True positions [n, 2].</param>
    /// <returns>(mean distance, mean squared coordinate error).</returns>
    /// <exception cref="ArgumentException">Lengths differ or are not even, or a value is not finite (ParamName names the span).</exception>
    public static (double MeanDistance, double MeanSquaredError) PositionErrors(ReadOnlySpan<float> decoded, ReadOnlySpan<float> truth) =>
        SpatialNavigationTask.PositionErrors(decoded, truth);

    private static SpatialEvaluation ToSpatial(TaskEvaluation e) => new(e.Step, e.Loss, e.DecodingError, e.DecodingMse);

    private sealed class SpatialProgress(IProgress<TrainingProgress> target) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            target.Report(value with { Evaluation = value.TaskEvaluation is { } e ? ToSpatial(e) : null });
    }
}

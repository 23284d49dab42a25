using NoisyRnn.Models;

namespace NoisyRnn.Training;

/// <summary>What a <see cref="PathIntegrationTrainer"/> run returns.</summary>
/// <param name="Evaluations">Every held-out evaluation, in step order.</param>
/// <param name="FinalLoss">Training loss of the last step.</param>
/// <param name="WallSeconds">Wall time of this call, s.</param>
/// <param name="StartStep">Step the run started (resumed) from; 0 for a fresh run.</param>
public sealed record PathIntegrationResult(IReadOnlyList<TaskEvaluation> Evaluations, double FinalLoss, double WallSeconds, int StartStep)
{
    /// <summary>Cumulative training wall time the checkpoint this call resumed from recorded, s: 0 for a fresh run, and for a
    /// checkpoint without a time record (see <see cref="TimedFromStep"/>).</summary>
    public double StartSeconds { get; init; }

    /// <summary>
    /// Cumulative training wall time of the network at its last step, s: <see cref="StartSeconds"/> plus this call's time
    /// up to its last step (training steps, evaluations and checkpoint writes), the value written into the last
    /// checkpoint. A call that trained nothing (its checkpoint was complete) returns the checkpoint's time unchanged. It
    /// counts what the checkpoints kept: the work of an interrupted process after its last checkpoint is lost and not
    /// counted, and neither are steps up to <see cref="TimedFromStep"/>. Defaults to <see cref="WallSeconds"/> when the
    /// record is built by hand.
    /// </summary>
    public double TrainingSeconds { get; init; } = WallSeconds;

    /// <summary>
    /// The step <see cref="TrainingSeconds"/> counts from: 0 when every step was timed; otherwise the step of a checkpoint
    /// without a time record (written by a library version before the trainer kept one, or by <see cref="Checkpoint.Save"/>
    /// called directly) that the run resumed from, whose earlier training time is unknown and left out. Later checkpoints
    /// keep this step, so the gap stays visible across further resumes. Defaults to <see cref="StartStep"/> when the record
    /// is built by hand.
    /// </summary>
    public int TimedFromStep { get; init; } = StartStep;
}

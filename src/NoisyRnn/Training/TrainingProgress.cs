namespace NoisyRnn.Training;

/// <summary>Progress of a training run, reported after every step.</summary>
/// <param name="Step">Steps completed (1-based).</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Loss">Training MSE of this step's batch.</param>
/// <param name="ElapsedSeconds">Wall time of this call so far, s (a resumed run's clock starts at the resumption;
/// <see cref="TrainingSeconds"/> adds the time before it).</param>
/// <param name="Evaluation">Held-out metrics (in the task's unit) when this step was an evaluation step; otherwise null.</param>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, double ElapsedSeconds, TaskEvaluation? Evaluation)
{
    /// <summary>Step this call started from: 0 for a fresh run, the checkpoint's step for a resumed one. Steps done in this
    /// call are <see cref="Step"/> - StartStep, over <see cref="ElapsedSeconds"/>.</summary>
    public int StartStep { get; init; }

    /// <summary>Cumulative training wall time recorded in the checkpoint this call resumed from, s (<see
    /// cref="PathIntegrationResult.StartSeconds"/>): 0 for a fresh run or a checkpoint without a time record.</summary>
    public double StartSeconds { get; init; }

    /// <summary>Cumulative training wall time so far, s: <see cref="StartSeconds"/> + <see cref="ElapsedSeconds"/>.</summary>
    public double TrainingSeconds => StartSeconds + ElapsedSeconds;
}

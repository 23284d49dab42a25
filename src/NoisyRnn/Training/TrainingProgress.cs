namespace NoisyRnn.Training;

/// <summary>Progress of a training run, reported after every step.</summary>
/// <param name="Step">Steps completed (1-based).</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Loss">Training MSE of this step's batch.</param>
/// <param name="ElapsedSeconds">Wall time since the run (or its resumption) started.</param>
/// <param name="Evaluation">Held-out metrics (in the task's unit) when this step was an evaluation step; otherwise null.</param>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, double ElapsedSeconds, TaskEvaluation? Evaluation)
{
    /// <summary>Step this call started from: 0 for a fresh run, the checkpoint's step for a resumed one. Steps done in this
    /// call are <see cref="Step"/> - StartStep, over <see cref="ElapsedSeconds"/>.</summary>
    public int StartStep { get; init; }
}

namespace NoisyRnn.Training;

/// <summary>
/// Thrown when training meets a non-finite loss or gradient. The update of that step is not applied, so the
/// model's parameters are the last finite ones.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">1-based training step at which the problem was detected.</param>
    /// <param name="what">What was non-finite (e.g. "loss" or "gradient of w_rec.weight").</param>
    public TrainingDivergedException(int step, string what)
        : base($"Training diverged at step {step}: {what} is not finite. The update was not applied; " +
               "try a smaller learning rate or less noise.")
    {
        Step = step;
        What = what;
    }

    /// <summary>1-based training step at which the problem was detected.</summary>
    public int Step { get; }

    /// <summary>What was non-finite.</summary>
    public string What { get; }
}

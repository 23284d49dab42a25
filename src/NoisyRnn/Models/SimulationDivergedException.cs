namespace NoisyRnn.Models;

/// <summary>Thrown when a simulated (for example quiescent) run reaches a non-finite hidden state (or, in
/// <see cref="Analysis.Quiescence.Run"/>, a non-finite readout).</summary>
public sealed class SimulationDivergedException : Exception
{
    /// <summary>Creates the exception for the step whose resulting state was non-finite.</summary>
    /// <param name="step">Zero-based index t of the step (the state h_t after step t was the first non-finite one).</param>
    /// <param name="time">Number of steps the run was asked for.</param>
    public SimulationDivergedException(int step, int time)
        : base($"Simulation diverged: the hidden state became non-finite at step {step} (0-based) of {time}.")
    {
        Step = step;
    }

    internal SimulationDivergedException(int step, int time, string what)
        : base($"Simulation diverged: {what} became non-finite at step {step} (0-based) of {time}.")
    {
        Step = step;
    }

    /// <summary>Zero-based index of the step at which the hidden state (or readout) first became non-finite.</summary>
    public int Step { get; }
}

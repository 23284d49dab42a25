namespace NoisyRnn.Analysis;

/// <summary>Turning statistics of heading trajectories (<see cref="BiasedReactivation.Turning"/>).</summary>
/// <param name="MeanSignedStep">Mean signed step wrap(θ_{t+1} − θ_t), rad per step (positive = counter-clockwise): per-trajectory
/// means, then their mean and standard error over trajectories.</param>
/// <param name="CounterClockwiseFraction">Fraction of the non-zero steps that turn counter-clockwise (positive), in [0, 1]; NaN
/// when every step is exactly 0.</param>
/// <param name="MeanAbsoluteStep">Mean |wrap(θ_{t+1} − θ_t)| over all steps, rad per step.</param>
/// <param name="Steps">Number of steps (batch × (time − 1)).</param>
public sealed record TurningStatistics(MeanEstimate MeanSignedStep, double CounterClockwiseFraction, double MeanAbsoluteStep, int Steps);

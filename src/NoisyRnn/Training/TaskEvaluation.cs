using NoisyRnn.Models;

namespace NoisyRnn.Training;

/// <summary>Metrics of one held-out evaluation on any path-integration task.</summary>
/// <param name="Step">Training steps completed when measured.</param>
/// <param name="Loss">MSE over [batch, time, outputs] with the training noise on (reference <c>loss</c>).</param>
/// <param name="DecodingError">Mean top-3 decoding error in the task's unit (m: Euclidean; rad: circular).</param>
/// <param name="DecodingMse">Mean per-coordinate squared decoding error, unit squared (reference <c>pos_mse</c> / <c>hd_mse</c>,
/// except that head direction uses the circular difference).</param>
public readonly record struct TaskEvaluation(int Step, double Loss, double DecodingError, double DecodingMse);

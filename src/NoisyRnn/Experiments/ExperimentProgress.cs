using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>A progress report of <see cref="Experiment.Run"/>: a human-readable line, and for training steps the trainer's report.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Message">One line for a log; empty for plain training steps (see <paramref name="Training"/>).</param>
/// <param name="Network">The network concerned ("noise-trained", "noise-free"), or null.</param>
/// <param name="Training">The trainer's report after a step, during <see cref="ExperimentStage.Training"/>; else null.</param>
public sealed record ExperimentProgress(ExperimentStage Stage, string Message, string? Network = null, TrainingProgress? Training = null);

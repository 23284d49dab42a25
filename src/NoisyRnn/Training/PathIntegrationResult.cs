using NoisyRnn.Models;

namespace NoisyRnn.Training;

/// <summary>What a <see cref="PathIntegrationTrainer"/> run returns.</summary>
/// <param name="Evaluations">Every held-out evaluation, in step order.</param>
/// <param name="FinalLoss">Training loss of the last step.</param>
/// <param name="WallSeconds">Wall time of this call.</param>
/// <param name="StartStep">Step the run started (resumed) from; 0 for a fresh run.</param>
public sealed record PathIntegrationResult(IReadOnlyList<TaskEvaluation> Evaluations, double FinalLoss, double WallSeconds, int StartStep);

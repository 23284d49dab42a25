using System.Text.Json.Serialization;
using NoisyRnn.Analysis;
using NoisyRnn.Training;

namespace NoisyRnn.Experiments;

/// <summary>One trained network of an experiment, as written to summary.json (<c>networks[]</c>).</summary>
/// <param name="Name">"noise-trained" or "noise-free".</param>
/// <param name="NoiseStd">Per-step recurrent noise std it was trained with.</param>
/// <param name="Steps">Adam steps of its training.</param>
/// <param name="TrainSeconds">Cumulative training wall time, s, summed over every process that trained it, as its checkpoint
/// records it (<see cref="PathIntegrationResult.TrainingSeconds"/>): a network trained earlier and only loaded here reports the
/// time stored with it. The work of an interrupted process after its last checkpoint is not counted, and neither are the
/// steps up to <see cref="TrainSecondsFromStep"/>. In summaries written before <c>train_seconds_from_step</c> existed, it was
/// the finishing process's part only.</param>
/// <param name="FinalTrainLoss">Training loss of the last step.</param>
/// <param name="TestLoss">Held-out MSE at the last evaluation.</param>
/// <param name="PositionErrorM">Spatial task: mean top-3 decoding error, m; null for head direction.</param>
/// <param name="PositionMseM2">Spatial task: mean squared decoding error per coordinate, m^2; null for head direction.</param>
/// <param name="KlUniformToActive">KL(uniform over the arena or circle || active decoded density), nats.</param>
/// <param name="Weights">Path of its checkpoint relative to the run folder.</param>
/// <param name="Evaluations">The learning curve: every held-out evaluation, in step order (including those before a resume).</param>
/// <param name="DecodingError">Mean decoding error at the last evaluation, in <paramref name="DecodingUnit"/>.</param>
/// <param name="DecodingMse">Mean squared decoding error at the last evaluation, unit squared.</param>
/// <param name="DecodingUnit">"m" (spatial) or "rad" (head direction).</param>
public sealed record NetworkSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("final_train_loss")] double FinalTrainLoss,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_uniform_to_active")] double KlUniformToActive,
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("evaluations")] IReadOnlyList<TaskEvaluation> Evaluations,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_mse")] double DecodingMse,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit)
{
    /// <summary>The network's denoising gain at the noise-trained network's training noise (and larger), or null without a PCA.</summary>
    [JsonPropertyName("denoising_gain")]
    public DenoisingGainSummary? DenoisingGain { get; init; }

    /// <summary>The step <see cref="TrainSeconds"/> counts from (<see cref="PathIntegrationResult.TimedFromStep"/>): 0 when
    /// every step was timed; the step of a checkpoint without a time record that training resumed from, whose earlier time
    /// is unknown; null in summaries written before cumulative training times, whose <see cref="TrainSeconds"/> is the
    /// finishing process's part only.</summary>
    [JsonPropertyName("train_seconds_from_step")]
    public int? TrainSecondsFromStep { get; init; }
}

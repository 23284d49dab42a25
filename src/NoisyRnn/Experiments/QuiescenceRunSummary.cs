using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>One (network, quiescence) run of an experiment, as written to summary.json (<c>runs[]</c>).</summary>
/// <param name="Name">"network/mode", for example "noise-trained/Scaled".</param>
/// <param name="Network">The network's name.</param>
/// <param name="NoiseStd">The network's training noise std per step.</param>
/// <param name="Biased">Whether its trajectories were biased.</param>
/// <param name="QuiescenceMode">The quiescent noise rule (Scaled, Same, Absolute(...)).</param>
/// <param name="QuiescentNoiseStd">The resolved quiescent noise std per step.</param>
/// <param name="TestLoss">Held-out MSE of the network.</param>
/// <param name="PositionErrorM">Spatial: mean decoding error, m; else null.</param>
/// <param name="PositionMseM2">Spatial: mean squared decoding error, m^2; else null.</param>
/// <param name="KlQuiescentToActive">KL(quiescent || active) of the decoded outputs over the first KlSteps of every chain, nats; null when the quiescent density does not exist (see <paramref name="KlNote"/>).</param>
/// <param name="KlStandardError">Monte Carlo standard error of that KL.</param>
/// <param name="KlNote">Why the KL is missing, or null.</param>
/// <param name="QuiescentOutputVariance">Per-chain variance of the decoded outputs after the burn-in, unit squared.</param>
/// <param name="ActiveStepDistance">Mean distance between consecutive decoded active outputs.</param>
/// <param name="QuiescentStepDistance">Mean distance between consecutive decoded quiescent outputs.</param>
/// <param name="DecodingError">Mean decoding error of the network.</param>
/// <param name="DecodingUnit">"m" or "rad".</param>
/// <param name="QuiescentMeanSignedStep">Head direction: mean signed heading change per quiescent step, rad (positive = counter-clockwise); else null.</param>
/// <param name="DenoisingAlignment">Vanilla cell: mean cosine between the autonomous drift and the KDE score of the active hidden states in the top 3 PCs; else null.</param>
/// <param name="LossDecomposition">Vanilla cell: the loss decomposition on the held-out batch; else null.</param>
/// <param name="HiddenState">Reactivation measured on the hidden states, or null without a PCA.</param>
public sealed record QuiescenceRunSummary(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("noise_std")] float NoiseStd,
    [property: JsonPropertyName("biased")] bool Biased,
    [property: JsonPropertyName("quiescence_mode")] string QuiescenceMode,
    [property: JsonPropertyName("quiescent_noise_std")] float QuiescentNoiseStd,
    [property: JsonPropertyName("test_loss")] double TestLoss,
    [property: JsonPropertyName("position_error_m")] double? PositionErrorM,
    [property: JsonPropertyName("position_mse_m2")] double? PositionMseM2,
    [property: JsonPropertyName("kl_quiescent_to_active")] double? KlQuiescentToActive,
    [property: JsonPropertyName("kl_standard_error")] double? KlStandardError,
    [property: JsonPropertyName("kl_note")] string? KlNote,
    [property: JsonPropertyName("quiescent_output_variance")] double QuiescentOutputVariance,
    [property: JsonPropertyName("active_step_distance")] double ActiveStepDistance,
    [property: JsonPropertyName("quiescent_step_distance")] double QuiescentStepDistance,
    [property: JsonPropertyName("decoding_error")] double DecodingError,
    [property: JsonPropertyName("decoding_unit")] string DecodingUnit,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double? QuiescentMeanSignedStep,
    [property: JsonPropertyName("denoising_alignment")] double? DenoisingAlignment,
    [property: JsonPropertyName("loss_decomposition")] LossDecompositionSummary? LossDecomposition,
    [property: JsonPropertyName("hidden_state")] HiddenStateSummary? HiddenState = null)
{
    /// <summary>Replay dynamics of the decoded quiescent paths against the waking ones (<see cref="ReplayAnalysis"/>), or null.</summary>
    [JsonPropertyName("replay")]
    public ReplaySummary? Replay { get; init; }

    /// <summary>The exponent a of q ∝ p^a fitted from the quiescent and active decoded densities (<see cref="Analysis.DensityExponent"/>),
    /// with the theory's prediction 2σ²/σ_q²; the value is null (with a note) where p is too flat to fit.</summary>
    [JsonPropertyName("density_exponent")]
    public DensityExponentSummary? DensityExponent { get; init; }

    /// <summary>Whether a quiescent chain's hidden state grew without bound (<see cref="Analysis.Runaway"/>), with the step and growth rate.</summary>
    [JsonPropertyName("runaway")]
    public RunawaySummary? Runaway { get; init; }

    /// <summary>KL(quiescent || active) of growing prefixes of the chains (<see cref="QuiescentMixing.KlOverTime"/>): whether the chains have mixed.</summary>
    [JsonPropertyName("kl_vs_time")]
    public IReadOnlyList<KlAtTimeSummary>? KlVsTime { get; init; }

    /// <summary>KL(quiescent || active decoded distribution of the same network on biased trajectories), nats.</summary>
    [JsonPropertyName("kl_quiescent_to_biased_active")]
    public double? KlToBiasedActive { get; init; }

    /// <summary>KL(quiescent || active decoded distribution of the same network on unbiased trajectories), nats.</summary>
    [JsonPropertyName("kl_quiescent_to_unbiased_active")]
    public double? KlToUnbiasedActive { get; init; }

    /// <summary>Spatial: mean distance of decoded positions from the arena centre (the biased drift's anchor), active and quiescent.</summary>
    [JsonPropertyName("radial_profile")]
    public RadialSummary? RadialProfile { get; init; }

    /// <summary>Head direction: turning statistics of the decoded headings, active and quiescent (the counter-clockwise bias).</summary>
    [JsonPropertyName("turning")]
    public TurningSummary? Turning { get; init; }
}

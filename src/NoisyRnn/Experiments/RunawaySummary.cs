using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>The runaway check of a quiescent run (<see cref="RunawayReport"/>).</summary>
/// <param name="RanAway">Whether a chain's hidden-state norm crossed the threshold.</param>
/// <param name="Step">First step it crossed, or null.</param>
/// <param name="Chain">The chain, or null.</param>
/// <param name="GrowthRatePerStep">Fitted exponential growth rate of the norm per step, or null.</param>
/// <param name="GrowthRateStderr">Its standard error.</param>
/// <param name="Threshold">The norm threshold (a multiple of the waking norm).</param>
/// <param name="MaxNorm">Largest norm seen.</param>
/// <param name="Note">One line for readers.</param>
public sealed record RunawaySummary(
    [property: JsonPropertyName("ran_away")] bool RanAway,
    [property: JsonPropertyName("step")] int? Step,
    [property: JsonPropertyName("chain")] int? Chain,
    [property: JsonPropertyName("growth_rate_per_step")] double? GrowthRatePerStep,
    [property: JsonPropertyName("growth_rate_stderr")] double? GrowthRateStderr,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("max_norm")] double MaxNorm,
    [property: JsonPropertyName("note")] string Note);

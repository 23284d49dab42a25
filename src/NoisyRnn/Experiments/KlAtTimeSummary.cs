using System.Text.Json.Serialization;

namespace NoisyRnn.Experiments;

/// <summary>KL(quiescent || active) of the first <paramref name="End"/> steps of every chain.</summary>
/// <param name="Start">First step (0 for prefixes).</param>
/// <param name="End">Last step (exclusive).</param>
/// <param name="Kl">KL in nats, or null.</param>
/// <param name="Stderr">Its Monte Carlo standard error.</param>
public sealed record KlAtTimeSummary(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("kl")] double? Kl,
    [property: JsonPropertyName("stderr")] double? Stderr);

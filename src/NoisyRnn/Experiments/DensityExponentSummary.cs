using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>The fitted exponent of q ∝ p^a (<see cref="Analysis.DensityExponent.Fit"/>).</summary>
/// <param name="Value">Fitted a, or null when it could not be fitted.</param>
/// <param name="Stderr">Its least-squares standard error.</param>
/// <param name="Predicted">2σ²/σ_q² for the network's training σ and quiescent σ_q (1 for Scaled, 2 for Same); null for a noise-free network.</param>
/// <param name="GridPoints">Grid points used (where p is at least 5% of its peak).</param>
/// <param name="Note">Why the value is missing, or null.</param>
public sealed record DensityExponentSummary(
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("stderr")] double? Stderr,
    [property: JsonPropertyName("predicted")] double? Predicted,
    [property: JsonPropertyName("grid_points")] int GridPoints,
    [property: JsonPropertyName("note")] string? Note);

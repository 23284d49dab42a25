using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>
/// Reactivation measured on the hidden states (<see cref="HiddenStateReactivation.Compare"/>): KL(quiescent || active) of the
/// states projected onto the top active principal components, and the distance to the nearest waking state relative to
/// that of held-out waking states (about 1 on the waking manifold, larger off it).
/// </summary>
/// <param name="Components">Principal components used.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the active variance they explain.</param>
/// <param name="PcKl">KL(quiescent || active) in those components, nats; null when not estimable.</param>
/// <param name="PcKlStandardError">Its Monte Carlo standard error.</param>
/// <param name="PcKlNote">Why the KL is missing, or null.</param>
/// <param name="ActiveNearestDistance">Mean distance from held-out waking states to the nearest other waking state.</param>
/// <param name="QuiescentNearestDistance">Mean distance from quiescent states to the nearest waking state.</param>
/// <param name="NearestDistanceRatio">Quiescent over active nearest distance (about 1 on the waking manifold).</param>
/// <param name="ActivePcMeanSquare">Mean square of the active states along each component.</param>
/// <param name="QuiescentPcMeanSquare">Mean square of the quiescent states along each component.</param>
public sealed record HiddenStateSummary(
    [property: JsonPropertyName("components")] int Components,
    [property: JsonPropertyName("explained_variance_ratio")] double ExplainedVarianceRatio,
    [property: JsonPropertyName("pc_kl_quiescent_to_active")] double? PcKl,
    [property: JsonPropertyName("pc_kl_standard_error")] double? PcKlStandardError,
    [property: JsonPropertyName("pc_kl_note")] string? PcKlNote,
    [property: JsonPropertyName("active_nearest_distance")] double ActiveNearestDistance,
    [property: JsonPropertyName("quiescent_nearest_distance")] double QuiescentNearestDistance,
    [property: JsonPropertyName("nearest_distance_ratio")] double NearestDistanceRatio,
    [property: JsonPropertyName("active_pc_mean_square")] double[] ActivePcMeanSquare,
    [property: JsonPropertyName("quiescent_pc_mean_square")] double[] QuiescentPcMeanSquare)
{
    internal static HiddenStateSummary From(HiddenStateReactivationResult r) => new(r.Components, r.ExplainedVarianceRatio, r.Kl?.Value,
        r.Kl?.StandardError, r.KlNote, r.ActiveNearestDistance, r.QuiescentNearestDistance, r.NearestDistanceRatio, r.ActiveMeanSquare, r.QuiescentMeanSquare);
}

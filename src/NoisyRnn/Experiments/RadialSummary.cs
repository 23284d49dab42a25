using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>Distance of decoded positions from the arena centre, m (<see cref="BiasedReactivation.Radial"/>).</summary>
/// <param name="ActiveMeanDistance">Waking mean distance.</param>
/// <param name="ActiveStderr">Its standard error over trajectories.</param>
/// <param name="QuiescentMeanDistance">Quiescent mean distance (the KL window).</param>
/// <param name="QuiescentStderr">Its standard error over chains.</param>
/// <param name="Edges">Radial bin edges, m.</param>
/// <param name="ActiveFraction">Fraction of waking positions per bin.</param>
/// <param name="QuiescentFraction">Fraction of quiescent positions per bin.</param>
public sealed record RadialSummary(
    [property: JsonPropertyName("active_mean_distance")] double ActiveMeanDistance,
    [property: JsonPropertyName("active_stderr")] double ActiveStderr,
    [property: JsonPropertyName("quiescent_mean_distance")] double QuiescentMeanDistance,
    [property: JsonPropertyName("quiescent_stderr")] double QuiescentStderr,
    [property: JsonPropertyName("edges")] double[] Edges,
    [property: JsonPropertyName("active_fraction")] double[] ActiveFraction,
    [property: JsonPropertyName("quiescent_fraction")] double[] QuiescentFraction);

using System.Numerics.Tensors;
using NoisyRnn.Models;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>Result of <see cref="HiddenStateReactivation.Compare"/>.</summary>
/// <param name="Components">k, the number of leading principal components of the active states used for the KL.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the active states' variance in those k components.</param>
/// <param name="Kl">KL(quiescent ‖ active) in nats between Gaussian KDEs (Scott's rule) of the states projected onto the k
/// active components; null when the quiescent projection has no density (for example a run frozen at one state).</param>
/// <param name="KlNote">Why <paramref name="Kl"/> is null; null otherwise.</param>
/// <param name="ActiveNearestDistance">Mean Euclidean distance from held-out active states (the second half of the
/// active trajectories) to the nearest state of the first half, in hidden-state units: the scale of "on the manifold".</param>
/// <param name="QuiescentNearestDistance">Mean Euclidean distance from quiescent states to the nearest state of the
/// first half of the active trajectories, in hidden-state units.</param>
/// <param name="QuiescentStates">Number of quiescent states compared.</param>
/// <param name="ActiveMeanSquare">Mean square of the active states' coordinate along each of the k components (about the
/// active mean, i.e. the component's variance), [k], squared hidden-state units.</param>
/// <param name="QuiescentMeanSquare">Mean square of the quiescent states' coordinate along each of the k components, about
/// the active mean, [k]: larger than <paramref name="ActiveMeanSquare"/> where quiescence spreads beyond the waking
/// states, smaller where it contracts toward the active mean.</param>
public sealed record HiddenStateReactivationResult(int Components, double ExplainedVarianceRatio, KlEstimate? Kl, string? KlNote,
    double ActiveNearestDistance, double QuiescentNearestDistance, int QuiescentStates, double[] ActiveMeanSquare, double[] QuiescentMeanSquare)
{
    /// <summary>
    /// <see cref="QuiescentNearestDistance"/> / <see cref="ActiveNearestDistance"/>: about 1 when the quiescent states stay
    /// on the waking manifold (they are as close to the waking states as other waking states are), much larger when they
    /// leave it. Infinite when the active distance is 0.
    /// </summary>
    public double NearestDistanceRatio => QuiescentNearestDistance / ActiveNearestDistance;
}

using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>Turning statistics of decoded headings (<see cref="BiasedReactivation.Turning"/>): mean signed step, rad per step
/// (positive = counter-clockwise), with its standard error, and the fraction of counter-clockwise steps.</summary>
/// <param name="ActiveMeanSignedStep">Waking mean signed step.</param>
/// <param name="ActiveStderr">Its standard error.</param>
/// <param name="ActiveCcwFraction">Waking fraction of counter-clockwise steps.</param>
/// <param name="QuiescentMeanSignedStep">Quiescent mean signed step (the KL window).</param>
/// <param name="QuiescentStderr">Its standard error.</param>
/// <param name="QuiescentCcwFraction">Quiescent fraction of counter-clockwise steps.</param>
public sealed record TurningSummary(
    [property: JsonPropertyName("active_mean_signed_step")] double ActiveMeanSignedStep,
    [property: JsonPropertyName("active_stderr")] double ActiveStderr,
    [property: JsonPropertyName("active_ccw_fraction")] double ActiveCcwFraction,
    [property: JsonPropertyName("quiescent_mean_signed_step")] double QuiescentMeanSignedStep,
    [property: JsonPropertyName("quiescent_stderr")] double QuiescentStderr,
    [property: JsonPropertyName("quiescent_ccw_fraction")] double QuiescentCcwFraction);

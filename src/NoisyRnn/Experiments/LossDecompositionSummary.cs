using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>
/// Means over steps of the loss decomposition of a network on the held-out batch with its training noise
/// (THEORY.md, "Measuring the decomposition"; every term divided by the number of output units, like the loss).
/// </summary>
/// <param name="Denoise">Denoising term.</param>
/// <param name="Integrate">Integration term.</param>
/// <param name="Noise">Noise term.</param>
/// <param name="Total">Measured loss.</param>
/// <param name="Cross">Cross term.</param>
/// <param name="Combined">Sum of the terms.</param>
/// <param name="Bound">The upper bound of the decomposition.</param>
public sealed record LossDecompositionSummary(
    [property: JsonPropertyName("denoise")] double Denoise,
    [property: JsonPropertyName("integrate")] double Integrate,
    [property: JsonPropertyName("noise")] double Noise,
    [property: JsonPropertyName("total")] double Total,
    [property: JsonPropertyName("cross")] double Cross,
    [property: JsonPropertyName("combined")] double Combined,
    [property: JsonPropertyName("bound")] double Bound)
{
    internal static LossDecompositionSummary? From(LossDecompositionResult? r) =>
        r is null ? null : new(r.MeanDenoise, r.MeanIntegrate, r.MeanNoise, r.MeanTotal, r.MeanCross, r.MeanCombined, r.MeanBound);
}

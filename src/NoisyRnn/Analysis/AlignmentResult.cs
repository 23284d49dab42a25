namespace NoisyRnn.Analysis;

/// <summary>Result of <see cref="DenoisingAlignment.Measure"/>.</summary>
/// <param name="MeanCosine">Mean over the sampled states of cos(P φ(r, 0), ∇ log p̂(P r)), in [−1, 1]: 1 when the autonomous
/// drift points up the estimated density everywhere, about 0 when unrelated.</param>
/// <param name="StandardError">Standard error of <paramref name="MeanCosine"/> over the sampled states (std / √count).</param>
/// <param name="Cosines">The cosine at each sampled state, [count].</param>
/// <param name="Components">k, the number of principal components used.</param>
/// <param name="ExplainedVarianceRatio">Fraction of the active states' variance in those k components.</param>
public sealed record AlignmentResult(double MeanCosine, double StandardError, double[] Cosines, int Components, double ExplainedVarianceRatio);

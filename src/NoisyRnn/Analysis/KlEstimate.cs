namespace NoisyRnn.Analysis;

/// <summary>A Monte Carlo estimate of a KL divergence, in nats.</summary>
/// <param name="Value">The estimate: mean of the (clipped) log density ratios over the sample points.</param>
/// <param name="StandardError">Standard deviation (ddof 1) of the log ratios divided by √<paramref name="Samples"/>; NaN when <paramref name="Samples"/> = 1.</param>
/// <param name="Samples">Number of sample points the mean is over.</param>
public readonly record struct KlEstimate(double Value, double StandardError, int Samples);

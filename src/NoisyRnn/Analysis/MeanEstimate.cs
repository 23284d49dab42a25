namespace NoisyRnn.Analysis;

/// <summary>A mean over sampled states with its standard error.</summary>
/// <param name="Value">The mean.</param>
/// <param name="StandardError">Standard deviation (ddof 1) over the samples / √<paramref name="Samples"/>; NaN for one sample.</param>
/// <param name="Samples">Number of samples averaged.</param>
public readonly record struct MeanEstimate(double Value, double StandardError, int Samples);

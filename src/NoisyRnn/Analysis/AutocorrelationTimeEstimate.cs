using MathNet.Numerics.IntegralTransforms;

namespace NoisyRnn.Analysis;

/// <summary>
/// An integrated autocorrelation time τ = 1 + 2 Σ_{t≥1} ρ(t), in steps, estimated with Sokal's automatic window.
/// </summary>
/// <param name="Tau">τ̂ = 1 + 2 Σ_{t=1}^{W} ρ̂(t), in steps; the effective sample size of N correlated draws is about N / τ.</param>
/// <param name="Window">W, the smallest lag with W ≥ c·max(τ̂(W), 1) (or length − 1 if there is none).</param>
/// <param name="StandardError">Madras-Sokal approximation τ̂ √(2(2W + 1) / (chains · length)).</param>
/// <param name="Reliable">True when the window condition was met and length ≥ 50 τ̂ (the rule of thumb of Sokal 1997 and emcee).</param>
public sealed record AutocorrelationTimeEstimate(double Tau, int Window, double StandardError, bool Reliable);

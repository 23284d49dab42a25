using MathNet.Numerics.Statistics;

namespace NoisyRnn.Analysis;

/// <summary>
/// The fit MSD(τ) = K τ^α by least squares of log MSD on log τ over the lags of the fit (τ = lag · Δt in s).
/// α = 1: diffusion (a random walk); α &gt; 1: super-diffusive (directed, α = 2 ballistic); α &lt; 1: sub-diffusive
/// (confined or trapped). Decoding jitter of std ε adds 2ε² (per coordinate) to every MSD and lowers α at short lags.
/// </summary>
/// <param name="LagsSeconds">τ of the fitted lags, s, increasing.</param>
/// <param name="Msd">MSD at those lags (all chains pooled), unit².</param>
/// <param name="Exponent">α; null when an MSD is 0.</param>
/// <param name="ExponentStandardError">Jackknife standard error of α over chains (delete one chain, refit the pooled MSD; needs ≥ 2 chains): the uncertainty to quote, as the chains are independent. Null with one chain.</param>
/// <param name="FitStandardError">Ordinary least-squares standard error of the slope (needs ≥ 3 lags); smaller than the truth because MSDs at different lags are correlated.</param>
/// <param name="Prefactor">K = exp(intercept), unit² / s^α; null when α is.</param>
public sealed record DiffusionFit(double[] LagsSeconds, double[] Msd, double? Exponent, double? ExponentStandardError, double? FitStandardError, double? Prefactor);

using System.Text.Json.Serialization;
using NoisyRnn.Analysis;

namespace NoisyRnn.Experiments;

/// <summary>
/// Replay dynamics of a quiescence run's decoded paths (the first KlSteps of every chain, the window of the KL), measured by
/// <see cref="ReplayAnalysis.Measure"/> with the held-out waking paths as the reference; time in s of trajectory time
/// (the task's dt per step).
/// </summary>
/// <param name="WindowSteps">Quiescent steps per chain measured.</param>
/// <param name="ActiveSpeed">Waking speed at lag 1, unit/s.</param>
/// <param name="Speed">Quiescent speed at lag 1, unit/s.</param>
/// <param name="SpeedRatio">Quiescent over waking speed at lag 1: the compression factor (&gt; 1 faster than waking).</param>
/// <param name="SpeedRatioLag10">The same at lag 10 (null when the paths are shorter).</param>
/// <param name="ActiveDiffusionExponent">Waking MSD exponent alpha (1 diffusive, &gt; 1 super-diffusive).</param>
/// <param name="DiffusionExponent">Quiescent MSD exponent alpha over lags 1-20 steps.</param>
/// <param name="DiffusionExponentStderr">Its jackknife standard error over chains.</param>
/// <param name="StepQuantiles">Quantiles 5/25/50/75/95 % of single quiescent step lengths, unit.</param>
/// <param name="CoverageTimeSeconds">Median time for a chain to visit half the arena's cells (or angle bins), s; null if most never do.</param>
/// <param name="FinalCoverage">Mean fraction of cells a chain visited by the end of the window.</param>
/// <param name="Wasserstein2">W2 distance between quiescent and waking occupancy, unit.</param>
/// <param name="Wasserstein2Floor">The same estimator between two halves of the waking occupancy: what sampling alone gives.</param>
public sealed record ReplaySummary(
    [property: JsonPropertyName("window_steps")] int WindowSteps,
    [property: JsonPropertyName("active_speed")] double ActiveSpeed,
    [property: JsonPropertyName("speed")] double Speed,
    [property: JsonPropertyName("speed_ratio")] double? SpeedRatio,
    [property: JsonPropertyName("speed_ratio_lag10")] double? SpeedRatioLag10,
    [property: JsonPropertyName("active_diffusion_exponent")] double? ActiveDiffusionExponent,
    [property: JsonPropertyName("diffusion_exponent")] double? DiffusionExponent,
    [property: JsonPropertyName("diffusion_exponent_stderr")] double? DiffusionExponentStderr,
    [property: JsonPropertyName("step_quantiles")] double[] StepQuantiles,
    [property: JsonPropertyName("coverage_time_s")] double? CoverageTimeSeconds,
    [property: JsonPropertyName("coverage_final")] double FinalCoverage,
    [property: JsonPropertyName("wasserstein2")] double? Wasserstein2,
    [property: JsonPropertyName("wasserstein2_floor")] double? Wasserstein2Floor);

using MathNet.Numerics.Statistics;

namespace NoisyRnn.Analysis;

/// <summary>
/// Replay metrics of one set of decoded paths, optionally against a reference (waking) set; the names in brackets are
/// the proposed keys of summary.json's <c>replay</c> object. Units are the paths' (m or rad) and seconds.
/// </summary>
public sealed record ReplayMetrics
{
    /// <summary>["unit"] "m" for planar paths, "rad" for headings.</summary>
    public required string Unit { get; init; }

    /// <summary>["speed"] Mean |x(t + L) − x(t)| / (L Δt) over chains and t at L = <see cref="ReplayOptions.SpeedLag"/>, unit/s.</summary>
    public required double Speed { get; init; }

    /// <summary>["speed_ratio"] Speed / the reference's speed at the same lag: the compression factor (&gt; 1: replay faster than waking). Null without a reference or if its speed is 0.</summary>
    public double? SpeedRatio { get; init; }

    /// <summary>["path_length_per_s"] Total path length (sum of step lengths) / total duration, unit/s: the speed at lag 1.</summary>
    public required double PathLengthPerSecond { get; init; }

    /// <summary>["diffusion_exponent"] α of <see cref="Diffusion"/>.</summary>
    public double? DiffusionExponent => Diffusion.Exponent;

    /// <summary>["diffusion_exponent_stderr"] Jackknife standard error of α over chains.</summary>
    public double? DiffusionExponentStandardError => Diffusion.ExponentStandardError;

    /// <summary>["msd_lags_s"], ["msd"], ["diffusion_exponent_fit_stderr"], ["msd_prefactor"]: the whole fit.</summary>
    public required DiffusionFit Diffusion { get; init; }

    /// <summary>["step_quantile_levels"] The levels of <see cref="StepQuantiles"/>.</summary>
    public required double[] StepQuantileLevels { get; init; }

    /// <summary>["step_quantiles"] Quantiles of the single-step lengths |x(t + 1) − x(t)| (circular for headings), unit, at <see cref="StepQuantileLevels"/> (linear interpolation, numpy's default, R-7).</summary>
    public required double[] StepQuantiles { get; init; }

    /// <summary>["coverage_fraction"] The fraction of cells the coverage time asks for (<see cref="ReplayOptions.CoverageFraction"/>).</summary>
    public required double CoverageFraction { get; init; }

    /// <summary>["coverage_time_s"] Median over chains of the time at which a chain has visited that fraction of the arena's cells (or angle bins), s; null when fewer than half the chains get there.</summary>
    public double? CoverageTimeSeconds { get; init; }

    /// <summary>["coverage_final"] Mean over chains of the fraction of cells visited by the end of the paths.</summary>
    public required double FinalCoverage { get; init; }

    /// <summary>["wasserstein2"] W₂ between the occupancy (all points) of these paths and of the reference, unit: planar on subsamples (<see cref="Wasserstein2.Subsampled"/>), circular exact (<see cref="Wasserstein2.Circle"/>). Null without a reference.</summary>
    public double? OccupancyWasserstein2 { get; init; }

    /// <summary>["wasserstein2_floor"] The same estimator between two disjoint random subsets of the reference's points (planar: min(points, n, m/2) points each, the subsample size of the distance itself when the reference has at least twice as many points; circular: two halves): the distance that sampling alone gives. Null without a reference or with fewer than 2 reference points.</summary>
    public double? OccupancyWasserstein2Floor { get; init; }
}

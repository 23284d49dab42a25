using MathNet.Numerics.Statistics;

namespace NoisyRnn.Analysis;

/// <summary>Settings of <see cref="ReplayAnalysis.Measure"/>. Use the same settings for every condition you compare.</summary>
public sealed record ReplayOptions
{
    /// <summary>Lag L, in steps, of <see cref="ReplayMetrics.Speed"/>: mean |x(t + L) − x(t)| / (L Δt); ≥ 1. At 1 the speed is the path length per unit time; larger lags average out decoding jitter. Default 1.</summary>
    public int SpeedLag { get; init; } = 1;

    /// <summary>Shortest lag of the diffusion-exponent fit, steps; ≥ 1. Default 1.</summary>
    public int MinLag { get; init; } = 1;

    /// <summary>Longest lag of the fit, steps; &gt; MinLag and &lt; the paths' Time. Default 20 (0.4 s at Δt = 0.02 s: a fifth of a 100-step waking trajectory, short of the arena's confinement).</summary>
    public int MaxLag { get; init; } = 20;

    /// <summary>Number of logarithmically spaced lags between MinLag and MaxLag (fewer after rounding to distinct integers); ≥ 2. Default 12.</summary>
    public int LagCount { get; init; } = 12;

    /// <summary>Step quantile levels reported in <see cref="ReplayMetrics.StepQuantiles"/>, each in [0, 1]. Default 0.05, 0.25, 0.5, 0.75, 0.95.</summary>
    public IReadOnlyList<double> StepQuantileLevels { get; init; } = [0.05, 0.25, 0.5, 0.75, 0.95];

    /// <summary>Fraction of the arena's cells (or angle bins) a chain must visit for <see cref="ReplayMetrics.CoverageTimeSeconds"/>; in (0, 1]. Default 0.5.</summary>
    public double CoverageFraction { get; init; } = 0.5;

    /// <summary>Arena width along x, m (the box [−w/2, w/2]); &gt; 0. Default 2.2 (the paper's box).</summary>
    public double ArenaWidth { get; init; } = 2.2;

    /// <summary>Arena height along y, m (the box [−h/2, h/2]); &gt; 0. Default 2.2.</summary>
    public double ArenaHeight { get; init; } = 2.2;

    /// <summary>Side of a coverage cell, m; &gt; 0 (the last row and column may be partial). Default 0.1 (22 × 22 cells in the paper's box).</summary>
    public double CellSize { get; init; } = 0.1;

    /// <summary>Coverage bins of the circle (equal bins of [−π, π)); ≥ 2. Default 36 (10°).</summary>
    public int AngleBins { get; init; } = 36;

    /// <summary>Subsample size of the planar W₂ (<see cref="Wasserstein2.Subsampled"/>); ≥ 1. Default 1000 (about a second per distance). Circular W₂ is exact on all points.</summary>
    public int Wasserstein2Points { get; init; } = 1000;

    /// <summary>Seed of the W₂ subsampling.</summary>
    public ulong Seed { get; init; }

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        Guard.Positive(SpeedLag, nameof(SpeedLag));
        Guard.Positive(MinLag, nameof(MinLag));
        if (MaxLag <= MinLag) throw new ArgumentOutOfRangeException(nameof(MaxLag), MaxLag, $"MaxLag must be > MinLag = {MinLag}.");
        if (LagCount < 2) throw new ArgumentOutOfRangeException(nameof(LagCount), LagCount, "LagCount must be >= 2.");
        ArgumentNullException.ThrowIfNull(StepQuantileLevels, nameof(StepQuantileLevels));
        foreach (double q in StepQuantileLevels)
            if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(StepQuantileLevels), q, "every StepQuantileLevels value must be in [0, 1].");
        Guard.InRange(CoverageFraction, 0, 1, nameof(CoverageFraction));
        Guard.Positive(ArenaWidth, nameof(ArenaWidth));
        Guard.Positive(ArenaHeight, nameof(ArenaHeight));
        Guard.Positive(CellSize, nameof(CellSize));
        if (AngleBins < 2) throw new ArgumentOutOfRangeException(nameof(AngleBins), AngleBins, "AngleBins must be >= 2.");
        Guard.Positive(Wasserstein2Points, nameof(Wasserstein2Points));
    }
}

using MathNet.Numerics.Statistics;
using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

/// <summary>
/// Decoded paths of one condition (waking or quiescent) for the replay metrics of <see cref="ReplayAnalysis"/>: positions
/// in the plane, [batch, time, 2] in m, or headings on the circle, [batch, time] in rad. A copy of the data in double.
/// Headings are stored unwrapped along each chain (successive steps joined by their circular difference,
/// <see cref="Angles.Difference"/>), so every displacement measure uses circular differences and a crossing of ±π is a
/// small step; occupancy measures use the headings wrapped to [−π, π).
/// </summary>
public sealed class DecodedPaths
{
    private readonly double[] _coordinates; // [batch, time, dims]; headings unwrapped

    private DecodedPaths(double[] coordinates, int batch, int time, int dims, bool circular, double stepSeconds)
    {
        _coordinates = coordinates;
        Batch = batch;
        Time = time;
        Dimensions = dims;
        IsCircular = circular;
        StepSeconds = stepSeconds;
    }

    /// <summary>Number of chains (trajectories).</summary>
    public int Batch { get; }

    /// <summary>Points per chain.</summary>
    public int Time { get; }

    /// <summary>Coordinates per point: 2 for the plane, 1 for the circle.</summary>
    public int Dimensions { get; }

    /// <summary>True for headings on the circle (rad), false for positions in the plane (m).</summary>
    public bool IsCircular { get; }

    /// <summary>Time between successive points, s.</summary>
    public double StepSeconds { get; }

    /// <summary>Positions in the plane.</summary>
    /// <param name="positions">[batch, time, 2] row-major (x, y), m; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s (the task's Dt, 0.02 s in the paper, for waking and quiescent paths alike); finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch · time · 2, or a value is not finite.</exception>
    public static DecodedPaths Planar(ReadOnlySpan<float> positions, int batch, int time, double stepSeconds)
    {
        Check(positions, batch, time, 2, stepSeconds, nameof(positions));
        var data = new double[positions.Length];
        for (int i = 0; i < data.Length; i++) data[i] = positions[i];
        return new DecodedPaths(data, batch, time, 2, false, stepSeconds);
    }

    /// <summary>Headings on the circle.</summary>
    /// <param name="headings">[batch, time] row-major, rad; finite; wrapped or not (only circular differences are used).</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s; finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length is not batch · time, or a value is not finite.</exception>
    public static DecodedPaths Circular(ReadOnlySpan<float> headings, int batch, int time, double stepSeconds)
    {
        Check(headings, batch, time, 1, stepSeconds, nameof(headings));
        var data = new double[headings.Length];
        for (int b = 0; b < batch; b++)
        {
            double u = headings[b * time];
            data[b * time] = u;
            for (int t = 1; t < time; t++)
            {
                u += Angles.Difference(headings[b * time + t], headings[b * time + t - 1]);
                data[b * time + t] = u;
            }
        }
        return new DecodedPaths(data, batch, time, 1, true, stepSeconds);
    }

    /// <summary>The decoded output of a path-integration task: <see cref="Planar"/> or <see cref="Circular"/> by <see cref="IPathIntegrationTask.IsCircular"/>.</summary>
    /// <param name="task">The task (gives the dimension and whether it is circular).</param>
    /// <param name="decoded">[batch, time, task.DecodedSize] row-major, as from the task's Decode; finite.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="time">Points per chain; ≥ 2.</param>
    /// <param name="stepSeconds">Time per step, s; finite and &gt; 0.</param>
    /// <returns>The paths.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="stepSeconds"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The length does not match, the task's decoded size is neither 1 (circular) nor 2 (planar), or a value is not finite.</exception>
    public static DecodedPaths FromTask(IPathIntegrationTask task, ReadOnlySpan<float> decoded, int batch, int time, double stepSeconds)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCircular && task.DecodedSize == 1) return Circular(decoded, batch, time, stepSeconds);
        if (!task.IsCircular && task.DecodedSize == 2) return Planar(decoded, batch, time, stepSeconds);
        throw new ArgumentException($"task decodes {task.DecodedSize} coordinates (circular: {task.IsCircular}); replay metrics need 2 planar or 1 circular.", nameof(task));
    }

    /// <summary>The points [start, start + length) of every chain (to drop a burn-in, or to compare windows of equal duration).</summary>
    /// <param name="start">First point; ≥ 0.</param>
    /// <param name="length">Points per chain; ≥ 2; start + length ≤ Time.</param>
    /// <returns>The window, with the same step.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The window is not within [0, Time) or shorter than 2.</exception>
    public DecodedPaths Window(int start, int length)
    {
        if (start < 0 || length < 2 || (long)start + length > Time)
            throw new ArgumentOutOfRangeException(nameof(length), $"window [{start}, {(long)start + length}) must lie in [0, {Time}) and hold at least 2 points.");
        var data = new double[Batch * length * Dimensions];
        for (int b = 0; b < Batch; b++)
            _coordinates.AsSpan((b * Time + start) * Dimensions, length * Dimensions).CopyTo(data.AsSpan(b * length * Dimensions));
        return new DecodedPaths(data, Batch, length, Dimensions, IsCircular, StepSeconds);
    }

    /// <summary>Chain <paramref name="chain"/>'s coordinates, [time, dims] (headings unwrapped).</summary>
    internal ReadOnlySpan<double> Chain(int chain) => _coordinates.AsSpan(chain * Time * Dimensions, Time * Dimensions);

    /// <summary>All points of all chains as one cloud (for occupancy densities and distances).</summary>
    /// <returns>A copy, [batch · time, dims] row-major; m, or headings wrapped to [−π, π).</returns>
    public double[] OccupancyPoints()
    {
        var points = (double[])_coordinates.Clone();
        if (IsCircular)
            for (int i = 0; i < points.Length; i++) points[i] = Angles.Wrap(points[i]);
        return points;
    }

    private static void Check(ReadOnlySpan<float> data, int batch, int time, int dims, double stepSeconds, string name)
    {
        Guard.Positive(batch);
        if (time < 2) throw new ArgumentOutOfRangeException(nameof(time), time, "time must be >= 2 (at least one step).");
        Guard.Positive(stepSeconds);
        Guard.Length(data.Length, (long)batch * time * dims, name, dims == 1 ? $"[batch, time] = [{batch}, {time}]" : $"[batch, time, {dims}] = [{batch}, {time}, {dims}]");
        Guard.AllFinite(data, name);
    }
}

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

/// <summary>
/// Replay metrics of decoded paths (issue 16; Levenstein et al. 2024 and Stella et al. 2019 judge replay by speed,
/// continuity, diffusion exponent and coverage): the same code for waking and quiescent paths, planar (m) or circular (rad).
/// </summary>
public static class ReplayAnalysis
{
    /// <summary>
    /// Every metric of <see cref="ReplayMetrics"/>. For a quiescent run pass the waking paths as the reference; for the
    /// waking paths themselves pass null. The coverage and W₂ compare occupancy over the whole paths: compare windows of
    /// equal duration (<see cref="DecodedPaths.Window"/>) when the coverage time matters.
    /// </summary>
    /// <param name="paths">The paths measured.</param>
    /// <param name="reference">Waking paths of the same geometry (planar or circular), or null.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range, or MaxLag or SpeedLag is not below the paths' Time.</exception>
    /// <exception cref="ArgumentException">The reference has another geometry.</exception>
    public static ReplayMetrics Measure(DecodedPaths paths, DecodedPaths? reference, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new ReplayOptions();
        options.Validate();
        if (reference is not null && reference.IsCircular != paths.IsCircular)
            throw new ArgumentException($"reference is {(reference.IsCircular ? "circular" : "planar")}; expected the geometry of paths ({(paths.IsCircular ? "circular" : "planar")}).", nameof(reference));
        double speed = Speed(paths, options.SpeedLag);
        double? ratio = null;
        if (reference is not null)
        {
            double referenceSpeed = Speed(reference, options.SpeedLag);
            if (referenceSpeed > 0) ratio = speed / referenceSpeed;
        }
        double[] steps = StepLengths(paths);
        double pathLength = 0;
        foreach (double s in steps) pathLength += s;
        Array.Sort(steps);
        double[] levels = [.. options.StepQuantileLevels];
        var quantiles = new double[levels.Length];
        for (int i = 0; i < levels.Length; i++) quantiles[i] = SortedArrayStatistics.QuantileCustom(steps, levels[i], QuantileDefinition.R7);
        double[] times = CoverageTimes(paths, options);
        double[] curve = CoverageCurve(paths, options);
        double? w2 = null, floor = null;
        if (reference is not null) (w2, floor) = OccupancyDistance(paths, reference, options);
        return new ReplayMetrics
        {
            Unit = paths.IsCircular ? "rad" : "m",
            Speed = speed,
            SpeedRatio = ratio,
            PathLengthPerSecond = pathLength / (paths.Batch * (paths.Time - 1) * paths.StepSeconds),
            Diffusion = FitDiffusion(paths, options.MinLag, options.MaxLag, options.LagCount),
            StepQuantileLevels = levels,
            StepQuantiles = quantiles,
            CoverageFraction = options.CoverageFraction,
            CoverageTimeSeconds = MedianOrNull(times),
            FinalCoverage = curve[^1],
            OccupancyWasserstein2 = w2,
            OccupancyWasserstein2Floor = floor,
        };
    }

    /// <summary>Mean displacement over <paramref name="lag"/> steps per unit time: mean over chains and t of |x(t + lag) − x(t)| / (lag · Δt) (circular differences for headings).</summary>
    /// <param name="paths">The paths.</param>
    /// <param name="lag">Lag in steps; in [1, Time − 1].</param>
    /// <returns>Speed, unit/s.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lag"/> is out of range.</exception>
    public static double Speed(DecodedPaths paths, int lag = 1)
    {
        ArgumentNullException.ThrowIfNull(paths);
        CheckLag(paths, lag, nameof(lag));
        int d = paths.Dimensions, n = paths.Time - lag;
        double sum = 0;
        for (int b = 0; b < paths.Batch; b++)
        {
            ReadOnlySpan<double> x = paths.Chain(b);
            for (int t = 0; t < n; t++) sum += Math.Sqrt(SquaredDisplacement(x, t, lag, d));
        }
        return sum / ((double)paths.Batch * n * lag * paths.StepSeconds);
    }

    /// <summary>Every single-step length |x(t + 1) − x(t)| (circular for headings), [batch, time − 1] row-major, unit: for histograms of the step-size distribution.</summary>
    /// <param name="paths">The paths.</param>
    /// <returns>Step lengths.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    public static double[] StepLengths(DecodedPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        int d = paths.Dimensions, n = paths.Time - 1;
        var steps = new double[paths.Batch * n];
        for (int b = 0; b < paths.Batch; b++)
        {
            ReadOnlySpan<double> x = paths.Chain(b);
            for (int t = 0; t < n; t++) steps[b * n + t] = Math.Sqrt(SquaredDisplacement(x, t, 1, d));
        }
        return steps;
    }

    /// <summary>
    /// Mean squared displacement MSD(L) = mean over chains and t of |x(t + L) − x(t)|² (headings unwrapped, so
    /// circular differences accumulate) at each lag L.
    /// </summary>
    /// <param name="paths">The paths.</param>
    /// <param name="lags">Lags in steps, each in [1, Time − 1].</param>
    /// <returns>MSD at each lag, unit².</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A lag is out of range.</exception>
    public static double[] MeanSquaredDisplacement(DecodedPaths paths, ReadOnlySpan<int> lags)
    {
        ArgumentNullException.ThrowIfNull(paths);
        foreach (int lag in lags) CheckLag(paths, lag, nameof(lags));
        double[,] perChain = ChainMsdSums(paths, lags);
        var msd = new double[lags.Length];
        for (int k = 0; k < lags.Length; k++)
        {
            double sum = 0;
            for (int b = 0; b < paths.Batch; b++) sum += perChain[b, k];
            msd[k] = sum / ((double)paths.Batch * (paths.Time - lags[k]));
        }
        return msd;
    }

    /// <summary>
    /// The diffusion exponent α of MSD(τ) = K τ^α: ordinary least squares of ln MSD on ln τ over up to
    /// <paramref name="lagCount"/> logarithmically spaced integer lags from <paramref name="minLag"/> to
    /// <paramref name="maxLag"/> (both included), with a jackknife standard error over chains (see <see cref="DiffusionFit"/>).
    /// </summary>
    /// <param name="paths">The paths.</param>
    /// <param name="minLag">Shortest lag, steps; ≥ 1.</param>
    /// <param name="maxLag">Longest lag, steps; &gt; minLag and ≤ Time − 1.</param>
    /// <param name="lagCount">Lags before rounding to distinct integers; ≥ 2.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A lag setting is out of range.</exception>
    public static DiffusionFit FitDiffusion(DecodedPaths paths, int minLag, int maxLag, int lagCount)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Guard.Positive(minLag);
        if (maxLag <= minLag) throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, $"maxLag must be > minLag = {minLag}.");
        CheckLag(paths, maxLag, nameof(maxLag));
        if (lagCount < 2) throw new ArgumentOutOfRangeException(nameof(lagCount), lagCount, "lagCount must be >= 2.");
        int[] lags = LogSpacedLags(minLag, maxLag, lagCount);
        double[,] perChain = ChainMsdSums(paths, lags);
        int batch = paths.Batch, k = lags.Length;
        var logTau = new double[k];
        for (int i = 0; i < k; i++) logTau[i] = Math.Log(lags[i] * paths.StepSeconds);
        var total = new double[k];
        for (int i = 0; i < k; i++)
            for (int b = 0; b < batch; b++) total[i] += perChain[b, i];
        var msd = new double[k];
        for (int i = 0; i < k; i++) msd[i] = total[i] / ((double)batch * (paths.Time - lags[i]));
        var lagsSeconds = new double[k];
        for (int i = 0; i < k; i++) lagsSeconds[i] = lags[i] * paths.StepSeconds;
        (double? slope, double? intercept, double? fitError) = LogLogFit(logTau, msd);
        if (slope is null) return new DiffusionFit(lagsSeconds, msd, null, null, null, null);

        double? jackknife = null;
        if (batch >= 2)
        {
            var leaveOut = new double[batch];
            var partial = new double[k];
            bool defined = true;
            for (int b = 0; b < batch && defined; b++)
            {
                for (int i = 0; i < k; i++) partial[i] = (total[i] - perChain[b, i]) / ((double)(batch - 1) * (paths.Time - lags[i]));
                double? s = LogLogFit(logTau, partial).Slope;
                if (s is null) defined = false;
                else leaveOut[b] = s.Value;
            }
            if (defined)
            {
                double mean = leaveOut.Average(), ss = 0;
                foreach (double s in leaveOut) ss += (s - mean) * (s - mean);
                jackknife = Math.Sqrt((batch - 1.0) / batch * ss);
            }
        }
        return new DiffusionFit(lagsSeconds, msd, slope, jackknife, fitError, Math.Exp(intercept!.Value));
    }

    /// <summary>
    /// The coverage curve: the mean over chains of the fraction of the arena's cells (planar: squares of
    /// <see cref="ReplayOptions.CellSize"/> tiling the centred box; circular: <see cref="ReplayOptions.AngleBins"/> equal
    /// bins of [−π, π)) that a chain has visited up to and including each point. Points outside the box visit no cell.
    /// </summary>
    /// <param name="paths">The paths.</param>
    /// <param name="options">The arena and cell settings; null for the defaults.</param>
    /// <returns>Mean fraction visited, [Time], nondecreasing, in [0, 1].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static double[] CoverageCurve(DecodedPaths paths, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new ReplayOptions();
        options.Validate();
        var grid = new CoverageGrid(paths, options);
        var curve = new double[paths.Time];
        var visited = new bool[grid.Cells];
        for (int b = 0; b < paths.Batch; b++)
        {
            Array.Clear(visited);
            int count = 0;
            ReadOnlySpan<double> x = paths.Chain(b);
            for (int t = 0; t < paths.Time; t++)
            {
                int cell = grid.Cell(x.Slice(t * paths.Dimensions, paths.Dimensions));
                if (cell >= 0 && !visited[cell])
                {
                    visited[cell] = true;
                    count++;
                }
                curve[t] += count;
            }
        }
        for (int t = 0; t < curve.Length; t++) curve[t] /= (double)paths.Batch * grid.Cells;
        return curve;
    }

    /// <summary>
    /// For each chain, the time t · Δt (s) of the first point by which it has visited at least
    /// ⌈<see cref="ReplayOptions.CoverageFraction"/> · cells⌉ cells (see <see cref="CoverageCurve"/>); +∞ for a chain that never does.
    /// </summary>
    /// <param name="paths">The paths.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>Coverage times, [batch], s.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static double[] CoverageTimes(DecodedPaths paths, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new ReplayOptions();
        options.Validate();
        var grid = new CoverageGrid(paths, options);
        int needed = Math.Max(1, (int)Math.Ceiling(options.CoverageFraction * grid.Cells - 1e-9));
        var times = new double[paths.Batch];
        var visited = new bool[grid.Cells];
        for (int b = 0; b < paths.Batch; b++)
        {
            Array.Clear(visited);
            int count = 0;
            times[b] = double.PositiveInfinity;
            ReadOnlySpan<double> x = paths.Chain(b);
            for (int t = 0; t < paths.Time; t++)
            {
                int cell = grid.Cell(x.Slice(t * paths.Dimensions, paths.Dimensions));
                if (cell >= 0 && !visited[cell])
                {
                    visited[cell] = true;
                    if (++count >= needed)
                    {
                        times[b] = t * paths.StepSeconds;
                        break;
                    }
                }
            }
        }
        return times;
    }

    /// <summary>
    /// W₂ between the occupancy of two path sets (all points; headings wrapped) and the sampling floor, the same
    /// estimator between two disjoint random halves of the reference's points.
    /// </summary>
    private static (double? Distance, double? Floor) OccupancyDistance(DecodedPaths paths, DecodedPaths reference, ReplayOptions options)
    {
        double[] x = paths.OccupancyPoints(), y = reference.OccupancyPoints();
        int d = paths.Dimensions;
        int referenceCount = y.Length / d;
        var rng = new Noise.Xoshiro256(SeedSequence.Derive(options.Seed, SeedSequence.AnalysisStream, 16));
        double distance;
        double? floor = null;
        if (paths.IsCircular)
        {
            distance = Analysis.Wasserstein2.Circle(x, y);
            if (referenceCount >= 2)
            {
                double[] shuffled = Analysis.Wasserstein2.Subsample(y, 1, referenceCount, ref rng);
                int half = referenceCount / 2;
                floor = Analysis.Wasserstein2.Circle(shuffled.AsSpan(0, half), shuffled.AsSpan(half, half));
            }
        }
        else
        {
            distance = Analysis.Wasserstein2.Subsampled(x, y, d, options.Wasserstein2Points, SeedSequence.Derive(options.Seed, SeedSequence.AnalysisStream, 17));
            int k = Math.Min(options.Wasserstein2Points, Math.Min(x.Length / d, referenceCount / 2));
            if (k >= 1)
            {
                double[] both = Analysis.Wasserstein2.Subsample(y, d, 2 * k, ref rng);
                floor = Analysis.Wasserstein2.Exact(both.AsSpan(0, k * d), both.AsSpan(k * d, k * d), d);
            }
        }
        return (distance, floor);
    }

    /// <summary>Up to <paramref name="count"/> distinct integers from min to max (both included), logarithmically spaced.</summary>
    internal static int[] LogSpacedLags(int min, int max, int count)
    {
        var lags = new SortedSet<int>();
        for (int i = 0; i < count; i++)
            lags.Add((int)Math.Round(min * Math.Pow((double)max / min, i / (count - 1.0))));
        lags.Add(min);
        lags.Add(max);
        return [.. lags];
    }

    // Σ_t |x(t + L) − x(t)|² per chain and lag, [batch, lags].
    private static double[,] ChainMsdSums(DecodedPaths paths, ReadOnlySpan<int> lags)
    {
        int d = paths.Dimensions;
        var sums = new double[paths.Batch, lags.Length];
        for (int b = 0; b < paths.Batch; b++)
        {
            ReadOnlySpan<double> x = paths.Chain(b);
            for (int k = 0; k < lags.Length; k++)
            {
                int lag = lags[k];
                double sum = 0;
                for (int t = 0; t + lag < paths.Time; t++) sum += SquaredDisplacement(x, t, lag, d);
                sums[b, k] = sum;
            }
        }
        return sums;
    }

    private static (double? Slope, double? Intercept, double? StandardError) LogLogFit(double[] logTau, double[] msd)
    {
        int k = msd.Length;
        var y = new double[k];
        for (int i = 0; i < k; i++)
        {
            if (!(msd[i] > 0)) return (null, null, null);
            y[i] = Math.Log(msd[i]);
        }
        (double intercept, double slope) = MathNet.Numerics.Fit.Line(logTau, y);
        double? error = null;
        if (k >= 3)
        {
            double mean = logTau.Average(), sxx = 0, rss = 0;
            for (int i = 0; i < k; i++)
            {
                sxx += (logTau[i] - mean) * (logTau[i] - mean);
                double r = y[i] - intercept - slope * logTau[i];
                rss += r * r;
            }
            error = Math.Sqrt(rss / (k - 2) / sxx);
        }
        return (slope, intercept, error);
    }

    private static double SquaredDisplacement(ReadOnlySpan<double> x, int t, int lag, int d)
    {
        double sq = 0;
        for (int k = 0; k < d; k++)
        {
            double diff = x[(t + lag) * d + k] - x[t * d + k];
            sq += diff * diff;
        }
        return sq;
    }

    private static void CheckLag(DecodedPaths paths, int lag, string name)
    {
        if (lag < 1 || lag >= paths.Time)
            throw new ArgumentOutOfRangeException(name, lag, $"a lag must be in [1, Time − 1] = [1, {paths.Time - 1}].");
    }

    private static double? MedianOrNull(double[] values)
    {
        double[] sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        return double.IsFinite(median) ? median : null;
    }

    private sealed class CoverageGrid
    {
        private readonly bool _circular;
        private readonly int _nx, _bins;
        private readonly double _halfWidth, _halfHeight, _cell;

        public CoverageGrid(DecodedPaths paths, ReplayOptions options)
        {
            _circular = paths.IsCircular;
            if (_circular)
            {
                _bins = options.AngleBins;
                Cells = _bins;
            }
            else
            {
                _cell = options.CellSize;
                _halfWidth = options.ArenaWidth / 2;
                _halfHeight = options.ArenaHeight / 2;
                _nx = (int)Math.Ceiling(options.ArenaWidth / _cell - 1e-9);
                int ny = (int)Math.Ceiling(options.ArenaHeight / _cell - 1e-9);
                Cells = _nx * ny;
            }
        }

        public int Cells { get; }

        // Cell index of a point, or −1 outside the box.
        public int Cell(ReadOnlySpan<double> point)
        {
            if (_circular)
            {
                double u = (Angles.Wrap(point[0]) + Math.PI) / (2 * Math.PI);
                return Math.Clamp((int)(u * _bins), 0, _bins - 1);
            }
            double x = point[0] + _halfWidth, y = point[1] + _halfHeight;
            if (x < 0 || y < 0 || x > 2 * _halfWidth || y > 2 * _halfHeight) return -1;
            int ix = Math.Min(_nx - 1, (int)(x / _cell)), iy = (int)(y / _cell);
            int ny = Cells / _nx;
            return Math.Min(ny - 1, iy) * _nx + ix;
        }
    }
}

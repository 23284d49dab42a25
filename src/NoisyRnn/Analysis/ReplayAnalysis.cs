using MathNet.Numerics.Statistics;
using NoisyRnn.Tasks;

namespace NoisyRnn.Analysis;

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

namespace NoisyRnn.Analysis;

/// <summary>
/// The exponent of the quiescent density against the waking one (THEORY.md prediction 5; issue 13 item 4): quiescence with
/// noise σ_q is Langevin dynamics on p and samples q ∝ p^(2σ²/σ_q²), exponent 1 with σ_q = √2 σ
/// (<c>Scaled</c>) and 2 with σ_q = σ (<c>Same</c>). The estimate regresses ln q on ln p over a grid of the arena (or the
/// circle) where p is not negligible. It needs a non-flat p (the biased tasks): on a flat p, ln p hardly varies and the
/// slope is undetermined.
/// </summary>
public static class DensityExponent
{
    /// <summary>Default floor: grid points where p is below 5% of its largest grid value are left out (there ln q is
    /// dominated by the density estimates' tails and smoothing, not by the power law).</summary>
    public const double DefaultFloorFraction = 0.05;

    /// <summary>The theory's exponent 2σ²/σ_q² for per-step stds (the ratio is the same in continuous-time units): 1 for
    /// σ_q = √2 σ, 2 for σ_q = σ.</summary>
    /// <param name="trainingStd">σ, the per-step recurrent noise std the network was trained with; finite and &gt; 0.</param>
    /// <param name="quiescentStd">σ_q, the per-step quiescent noise std; finite and &gt; 0.</param>
    /// <returns>The predicted exponent.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A std is not finite and positive.</exception>
    public static double Predicted(double trainingStd, double quiescentStd) => Theory.LangevinSampler.StationaryExponent(trainingStd, quiescentStd);

    /// <summary>
    /// Fits ln q = c + a ln p by ordinary least squares (MathNet <c>Fit.Line</c>) over the grid points where
    /// p ≥ <paramref name="floorFraction"/> × max p and ln q is finite.
    /// </summary>
    /// <param name="active">p, the waking density.</param>
    /// <param name="quiescent">q, the quiescent density; same dimension as p.</param>
    /// <param name="grid">Grid points, [m, d] row-major, finite (see <see cref="BoxGrid"/>, <see cref="CircleGrid"/>,
    /// <see cref="IntervalGrid"/>).</param>
    /// <param name="floorFraction">Relative floor on p; in (0, 1).</param>
    /// <returns>The fit.</returns>
    /// <exception cref="ArgumentNullException">A density is null.</exception>
    /// <exception cref="ArgumentException">Dimensions differ, or the grid is empty, of the wrong length or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="floorFraction"/> not in (0, 1).</exception>
    /// <exception cref="DegenerateDataException">Fewer than 3 grid points are kept, or ln p does not vary over them.</exception>
    public static DensityExponentFit Fit(IKernelDensity active, IKernelDensity quiescent, ReadOnlySpan<double> grid, double floorFraction = DefaultFloorFraction)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(quiescent);
        if (active.Dimensions != quiescent.Dimensions)
            throw new ArgumentException($"quiescent has {quiescent.Dimensions} dimension(s) but active has {active.Dimensions}.", nameof(quiescent));
        if (!(floorFraction > 0 && floorFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(floorFraction), floorFraction, "floorFraction must be in (0, 1).");
        int d = active.Dimensions;
        if (grid.Length == 0 || grid.Length % d != 0)
            throw new ArgumentException($"grid has length {grid.Length}; expected [m >= 1, {d}].", nameof(grid));
        Guard.AllFinite(grid, nameof(grid));
        double[] logP = active.LogEvaluate(grid), logQ = quiescent.LogEvaluate(grid);
        double maxLogP = logP.Max();
        double logFloor = maxLogP + Math.Log(floorFraction);
        var x = new List<double>();
        var y = new List<double>();
        int excluded = 0;
        for (int i = 0; i < logP.Length; i++)
        {
            if (!(logP[i] >= logFloor)) continue;
            if (!double.IsFinite(logQ[i]))
            {
                excluded++;
                continue;
            }
            x.Add(logP[i]);
            y.Add(logQ[i]);
        }
        if (x.Count < 3)
            throw new DegenerateDataException($"only {x.Count} grid point(s) have p >= {floorFraction:G3} x max p and a finite q; the fit needs at least 3. Use a finer grid or a lower floor.", nameof(grid));
        if (!(x.Max() - x.Min() > 1e-9))
            throw new DegenerateDataException("ln p does not vary over the kept grid points (p is flat there), so the exponent of q against p is undetermined. Use a task with a non-flat waking density (the biased tasks).", nameof(active));
        double[] xs = x.ToArray(), ys = y.ToArray();
        (double slope, double se) = LineFit.Slope(xs, ys);
        double intercept = ys.Average() - slope * xs.Average();
        return new DensityExponentFit(slope, se, intercept, xs.Length, excluded, floorFraction);
    }

    /// <summary>Midpoints of a perSide × perSide grid of cells over the centred box [−w/2, w/2] × [−h/2, h/2] (the arena).</summary>
    /// <param name="width">w; finite and &gt; 0.</param>
    /// <param name="height">h; finite and &gt; 0.</param>
    /// <param name="perSide">Cells per side; ≥ 2.</param>
    /// <returns>Points, [perSide², 2] row-major (x varies fastest).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public static double[] BoxGrid(double width, double height, int perSide)
    {
        Guard.Positive(width);
        Guard.Positive(height);
        if (perSide < 2) throw new ArgumentOutOfRangeException(nameof(perSide), perSide, "perSide must be >= 2.");
        var grid = new double[perSide * perSide * 2];
        for (int j = 0; j < perSide; j++)
        {
            for (int i = 0; i < perSide; i++)
            {
                int k = j * perSide + i;
                grid[2 * k] = -width / 2 + (i + 0.5) * width / perSide;
                grid[2 * k + 1] = -height / 2 + (j + 0.5) * height / perSide;
            }
        }
        return grid;
    }

    /// <summary>Midpoints of <paramref name="points"/> equal cells of one turn, [−π, π).</summary>
    /// <param name="points">Number of cells; ≥ 3.</param>
    /// <returns>Angles, [points], rad.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> &lt; 3.</exception>
    public static double[] CircleGrid(int points) => IntervalGrid(-Math.PI, Math.PI, points);

    /// <summary>Midpoints of <paramref name="points"/> equal cells of [low, high].</summary>
    /// <param name="low">Left end; finite.</param>
    /// <param name="high">Right end; finite and &gt; low.</param>
    /// <param name="points">Number of cells; ≥ 3.</param>
    /// <returns>Points, [points].</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public static double[] IntervalGrid(double low, double high, int points)
    {
        Guard.Finite(low);
        Guard.Finite(high);
        if (!(high > low)) throw new ArgumentOutOfRangeException(nameof(high), high, $"high must be > low = {low}.");
        if (points < 3) throw new ArgumentOutOfRangeException(nameof(points), points, "points must be >= 3.");
        var grid = new double[points];
        for (int i = 0; i < points; i++) grid[i] = low + (i + 0.5) * (high - low) / points;
        return grid;
    }
}

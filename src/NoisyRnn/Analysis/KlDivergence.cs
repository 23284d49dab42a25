using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Kullback-Leibler divergences between kernel density estimates (<see cref="IKernelDensity"/>: <see cref="GaussianKde"/> or
/// <see cref="CircularKde"/>), estimated the way the paper's analysis code does:
/// KL(q ‖ p) ≈ mean over points x drawn from q of log(clip(q(x) / p(x), 1e-7, 1e7)). The paper uses q = the KDE of
/// quiescent (sleep) outputs and p = the KDE of active (awake) outputs, with 2,500 samples from q.
/// </summary>
/// <remarks>
/// The ratio is formed in log space (log q − log p, clipped to [ln 1e-7, ln 1e7]), which equals the reference's
/// value whenever it is defined and stays finite where both densities underflow (the reference then gets 0/0 = NaN); at
/// a point where both log densities are −∞ (beyond the range of a double) the log ratio is taken as 0.
/// </remarks>
public static class KlDivergence
{
    /// <summary>Lower clip of the density ratio q/p (the reference's value).</summary>
    public const double ClipLow = 1e-7;

    /// <summary>Upper clip of the density ratio q/p (the reference's value).</summary>
    public const double ClipHigh = 1e7;

    /// <summary>Monte Carlo sample count of the paper's analysis.</summary>
    public const int DefaultSamples = 2500;

    private static readonly double LogClipLow = Math.Log(ClipLow);
    private static readonly double LogClipHigh = Math.Log(ClipHigh);

    /// <summary>
    /// The reference's estimator at given points: mean_x log(clip(q(x)/p(x), <see cref="ClipLow"/>, <see cref="ClipHigh"/>)).
    /// It estimates KL(q ‖ p) when the points are drawn from q.
    /// </summary>
    /// <param name="q">The first density (the one the points come from); same dimension as <paramref name="p"/>.</param>
    /// <param name="p">The second density.</param>
    /// <param name="points">Points, shape [m, d] row-major, finite, m ≥ 1.</param>
    /// <returns>The estimate in nats.</returns>
    /// <exception cref="ArgumentNullException">A density is null.</exception>
    /// <exception cref="ArgumentException">Dimensions differ, points empty, of the wrong length, or not finite.</exception>
    public static double FromPoints(IKernelDensity q, IKernelDensity p, ReadOnlySpan<double> points)
    {
        CheckPair(q, p);
        if (points.Length == 0) throw new ArgumentException($"points is empty; expected shape [m, {q.Dimensions}] with m >= 1.", nameof(points));
        return Summarize(LogRatios(q.LogEvaluate(points), p.LogEvaluate(points))).Value;
    }

    /// <summary>
    /// KL(q ‖ p) by Monte Carlo as in the paper: <paramref name="samples"/> points drawn from q with
    /// <see cref="IKernelDensity.Resample"/>, then <see cref="FromPoints"/>, plus the standard error of the mean. Either
    /// estimator works (<see cref="GaussianKde"/>, <see cref="CircularKde"/>); use the same kind for q and p.
    /// </summary>
    /// <param name="q">The density samples come from (quiescent KDE in the paper).</param>
    /// <param name="p">The reference density (active KDE in the paper); same dimension as q.</param>
    /// <param name="samples">Monte Carlo sample count; &gt; 0 (the paper uses <see cref="DefaultSamples"/>).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <returns>The estimate, its standard error and the sample count.</returns>
    /// <exception cref="ArgumentNullException">A density is null.</exception>
    /// <exception cref="ArgumentException">Dimensions differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> ≤ 0.</exception>
    public static KlEstimate MonteCarlo(IKernelDensity q, IKernelDensity p, int samples, ulong seed)
    {
        CheckPair(q, p);
        Guard.Positive(samples);
        double[] points = q.Resample(samples, seed);
        return Summarize(LogRatios(q.LogEvaluate(points), p.LogEvaluate(points)));
    }

    /// <summary>
    /// KL(uniform over a centred box ‖ p) for a 2-D density p: the paper's baseline of how far a uniform spread over
    /// the arena is from the active distribution. Draws <paramref name="samples"/> points uniformly in
    /// [−w/2, w/2] × [−h/2, h/2] and averages log(clip(q(x)/p(x))) with the true joint uniform density
    /// q = 1/(w h).
    /// </summary>
    /// <param name="boxWidth">w, arena extent along the first coordinate; finite and &gt; 0 (2.2 m in the paper).</param>
    /// <param name="boxHeight">h, arena extent along the second coordinate; finite and &gt; 0.</param>
    /// <param name="p">A 2-D density.</param>
    /// <param name="samples">Monte Carlo sample count; &gt; 0.</param>
    /// <param name="seed">Seed of the uniform draws.</param>
    /// <param name="referenceDensity">
    /// When true, reproduce the published code instead, which uses the per-coordinate density 1/w for q (log q = −ln w
    /// instead of −ln(w h)); every log ratio then grows by ln h (ln 2.2 ≈ 0.79 nats for the paper's box), unless clipping
    /// intervenes. Same points for the same seed either way.
    /// </param>
    /// <returns>The estimate, its standard error and the sample count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="p"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="p"/> is not 2-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A box side not finite and positive, or <paramref name="samples"/> ≤ 0.</exception>
    public static KlEstimate UniformToKde(double boxWidth, double boxHeight, IKernelDensity p, int samples, ulong seed, bool referenceDensity = false)
    {
        ArgumentNullException.ThrowIfNull(p);
        Guard.Positive(boxWidth);
        Guard.Positive(boxHeight);
        Guard.Positive(samples);
        if (p.Dimensions != 2) throw new ArgumentException($"p must be a 2-D density; it has {p.Dimensions} dimension(s).", nameof(p));
        var rng = new Xoshiro256(seed);
        var points = new double[2 * samples];
        for (int i = 0; i < samples; i++)
        {
            points[2 * i] = (rng.NextDouble() - 0.5) * boxWidth;
            points[2 * i + 1] = (rng.NextDouble() - 0.5) * boxHeight;
        }
        double logQ = referenceDensity ? -Math.Log(boxWidth) : -Math.Log(boxWidth * boxHeight);
        double[] logP = p.LogEvaluate(points);
        var ratios = new double[samples];
        for (int i = 0; i < samples; i++) ratios[i] = ClippedLogRatio(logQ, logP[i]);
        return Summarize(ratios);
    }

    /// <summary>
    /// KL(uniform on [low, high) ‖ p) for a 1-D density p: the head-direction analogue of <see cref="UniformToKde"/> (a uniform
    /// spread of headings over the circle, [-pi, pi)). Draws <paramref name="samples"/> uniform points and averages
    /// log(clip(q(x)/p(x))) with q = 1/(high - low).
    /// </summary>
    /// <param name="low">Lower end of the interval; finite.</param>
    /// <param name="high">Upper end; finite and &gt; low.</param>
    /// <param name="p">A 1-D density.</param>
    /// <param name="samples">Monte Carlo sample count; &gt; 0.</param>
    /// <param name="seed">Seed of the uniform draws.</param>
    /// <returns>The estimate, its standard error and the sample count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="p"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="p"/> is not 1-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The interval is empty or not finite, or <paramref name="samples"/> ≤ 0.</exception>
    public static KlEstimate UniformIntervalToKde(double low, double high, IKernelDensity p, int samples, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(p);
        Guard.Finite(low);
        Guard.Positive(high - low, nameof(high));
        Guard.Positive(samples);
        if (p.Dimensions != 1) throw new ArgumentException($"p must be a 1-D density; it has {p.Dimensions} dimension(s).", nameof(p));
        var rng = new Xoshiro256(seed);
        var points = new double[samples];
        for (int i = 0; i < samples; i++) points[i] = low + rng.NextDouble() * (high - low);
        double logQ = -Math.Log(high - low);
        double[] logP = p.LogEvaluate(points);
        var ratios = new double[samples];
        for (int i = 0; i < samples; i++) ratios[i] = ClippedLogRatio(logQ, logP[i]);
        return Summarize(ratios);
    }

    /// <summary>
    /// KL(uniform over the circle ‖ p) for a density of one angle: <see cref="UniformIntervalToKde"/> on [−π, π) with
    /// q = 1/(2π). With a <see cref="CircularKde"/> p the value does not depend on where the data sit on the circle
    /// (rotating the data only shifts which uniform draws land where: the same value up to Monte Carlo error).
    /// </summary>
    /// <param name="p">A 1-D density of angles in radians (<see cref="CircularKde"/> in paper mode).</param>
    /// <param name="samples">Monte Carlo sample count; &gt; 0.</param>
    /// <param name="seed">Seed of the uniform draws.</param>
    /// <returns>The estimate, its standard error and the sample count.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="p"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="p"/> is not 1-D.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> ≤ 0.</exception>
    public static KlEstimate UniformCircleToKde(IKernelDensity p, int samples, ulong seed) =>
        UniformIntervalToKde(-Math.PI, Math.PI, p, samples, seed);

    private static void CheckPair(IKernelDensity q, IKernelDensity p)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(p);
        if (q.Dimensions != p.Dimensions)
            throw new ArgumentException($"q has {q.Dimensions} dimension(s) but p has {p.Dimensions}; both densities must live in the same space.", nameof(p));
    }

    private static double[] LogRatios(double[] logQ, double[] logP)
    {
        var ratios = new double[logQ.Length];
        for (int i = 0; i < ratios.Length; i++) ratios[i] = ClippedLogRatio(logQ[i], logP[i]);
        return ratios;
    }

    // clip(ln q − ln p) to [ln 1e-7, ln 1e7]; a point where both densities are 0 to double range (ln = −∞, about 1e154
    // kernel widths from all data) carries no evidence either way: ratio 1, log 0 (never NaN).
    private static double ClippedLogRatio(double logQ, double logP) =>
        double.IsNegativeInfinity(logQ) && double.IsNegativeInfinity(logP) ? 0 : Math.Clamp(logQ - logP, LogClipLow, LogClipHigh);

    private static KlEstimate Summarize(double[] values)
    {
        int n = values.Length;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += values[i];
        mean /= n;
        if (n == 1) return new KlEstimate(mean, double.NaN, 1);
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
        return new KlEstimate(mean, Math.Sqrt(ss / (n - 1) / n), n);
    }
}

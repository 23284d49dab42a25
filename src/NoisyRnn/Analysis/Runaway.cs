using System.Numerics.Tensors;

namespace NoisyRnn.Analysis;

/// <summary>
/// Detects quiescent chains whose hidden state grows without bound (DESIGN.md, "A quiescent run that diverges reports the
/// step at which it did"). A network without a denoising drift can have unstable autonomous dynamics: its state then grows
/// exponentially under zero input, and ordinary statistics of its decoded output (a frozen heading, a tiny variance) describe
/// a saturated readout, not reactivation. Such a run is reported as "ran away at step S, growth rate g per step" instead.
/// </summary>
public static class Runaway
{
    /// <summary>Default multiple of the waking norm above which a chain counts as run away: 100 (a healthy quiescent chain
    /// stays within a few times the waking norm; an exponential runaway passes 100x within tens of steps of leaving it).</summary>
    public const double DefaultNormFactor = 100;

    /// <summary>Euclidean norm of each hidden state: ‖h‖ for rows of [count, hidden] (e.g. [batch, steps, hidden] flattened).</summary>
    /// <param name="hidden">States, [count, hiddenSize] row-major; any values (a non-finite state has a non-finite norm).</param>
    /// <param name="hiddenSize">N; &gt; 0.</param>
    /// <returns>Norms, [count], in double (no float overflow below 1.8e308).</returns>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="hiddenSize"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> ≤ 0.</exception>
    public static double[] StateNorms(ReadOnlySpan<float> hidden, int hiddenSize)
    {
        Guard.Positive(hiddenSize);
        if (hidden.Length % hiddenSize != 0)
            throw new ArgumentException($"hidden has length {hidden.Length}, which is not a multiple of hiddenSize = {hiddenSize}; expected [count, {hiddenSize}].", nameof(hidden));
        var norms = new double[hidden.Length / hiddenSize];
        for (int i = 0; i < norms.Length; i++) norms[i] = Norm(hidden.Slice(i * hiddenSize, hiddenSize));
        return norms;
    }

    /// <summary>Mean Euclidean norm of waking states [count, hidden]: the reference of <see cref="Detect"/>.</summary>
    /// <param name="activeHidden">Waking states, [count, hiddenSize] row-major, finite; count ≥ 1.</param>
    /// <param name="hiddenSize">N; &gt; 0.</param>
    /// <returns>The mean norm.</returns>
    /// <exception cref="ArgumentException">Empty, the length is not a multiple of N, or a value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> ≤ 0.</exception>
    public static double MeanNorm(ReadOnlySpan<float> activeHidden, int hiddenSize)
    {
        Guard.Positive(hiddenSize);
        if (activeHidden.Length == 0) throw new ArgumentException("activeHidden is empty; expected [count >= 1, hidden].", nameof(activeHidden));
        Guard.AllFinite(activeHidden, nameof(activeHidden));
        double[] norms = StateNorms(activeHidden, hiddenSize);
        return norms.Average();
    }

    // ‖x‖ in double: exact scaling, no overflow for any float input.
    internal static double Norm(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return Math.Sqrt(sum);
    }

    /// <summary>
    /// Finds the first step at which any chain's norm exceeds factor × <paramref name="referenceNorm"/> (or is not finite),
    /// and fits that chain's exponential growth rate (see <see cref="RunawayReport"/>).
    /// </summary>
    /// <param name="norms">Hidden-state norms, [batch, steps] row-major (e.g. <see cref="StateNorms"/> of a [batch, steps, hidden]
    /// quiescent run); non-finite entries count as crossed.</param>
    /// <param name="batch">Chains; &gt; 0.</param>
    /// <param name="steps">Steps per chain; &gt; 0.</param>
    /// <param name="referenceNorm">The waking norm (e.g. <see cref="MeanNorm"/> of active states); finite and &gt; 0.</param>
    /// <param name="factor">Multiple of the reference that counts as runaway; finite and &gt; 1 (default <see cref="DefaultNormFactor"/>).</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The length is not batch × steps.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size, the reference or the factor is out of range.</exception>
    public static RunawayReport Detect(ReadOnlySpan<double> norms, int batch, int steps, double referenceNorm, double factor = DefaultNormFactor)
    {
        Guard.Positive(batch);
        Guard.Positive(steps);
        Guard.Positive(referenceNorm);
        Guard.Finite(factor);
        if (!(factor > 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be finite and > 1.");
        Guard.Length(norms.Length, (long)batch * steps, nameof(norms), $"[batch, steps] = [{batch}, {steps}]");
        double threshold = factor * referenceNorm;
        int firstStep = int.MaxValue, chain = -1;
        double maxNorm = 0;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<double> row = norms.Slice(b * steps, steps);
            for (int t = 0; t < steps; t++)
            {
                double v = row[t];
                maxNorm = double.IsFinite(v) ? Math.Max(maxNorm, v) : double.PositiveInfinity;
                if (!(v <= threshold))
                {
                    if (t < firstStep)
                    {
                        firstStep = t;
                        chain = b;
                    }
                    break;
                }
            }
        }
        if (chain < 0) return new RunawayReport(false, null, null, null, null, referenceNorm, threshold, maxNorm, steps);

        // Growth phase of the chain that crossed first: from its last step at or below the reference before the crossing
        // (or step 0) to its last finite step.
        ReadOnlySpan<double> series = norms.Slice(chain * steps, steps);
        int start = 0;
        for (int t = firstStep; t >= 0; t--)
        {
            if (series[t] <= referenceNorm)
            {
                start = t;
                break;
            }
        }
        var x = new List<double>();
        var y = new List<double>();
        for (int t = start; t < steps; t++)
        {
            double v = series[t];
            if (!double.IsFinite(v)) break;
            if (!(v > 0)) continue;
            x.Add(t);
            y.Add(Math.Log(v));
        }
        double? rate = null, error = null;
        if (x.Count >= 2)
        {
            (double slope, double se) = LineFit.Slope(x.ToArray(), y.ToArray());
            rate = slope;
            error = se;
        }
        return new RunawayReport(true, firstStep, chain, rate, error, referenceNorm, threshold, maxNorm, steps);
    }
}

/// <summary>Ordinary least squares of a line (MathNet <c>Fit.Line</c>) with the slope's standard error.</summary>
internal static class LineFit
{
    /// <summary>Slope b of y ≈ a + b x and its OLS standard error sqrt(Σ r² / (m − 2) / Σ (x − x̄)²) (0 when m = 2).</summary>
    public static (double Slope, double StandardError) Slope(double[] x, double[] y)
    {
        (double intercept, double slope) = MathNet.Numerics.Fit.Line(x, y);
        int m = x.Length;
        if (m <= 2) return (slope, 0);
        double mean = TensorPrimitives.Sum<double>(x) / m, sxx = 0, ssr = 0;
        for (int i = 0; i < m; i++)
        {
            sxx += (x[i] - mean) * (x[i] - mean);
            double r = y[i] - (intercept + slope * x[i]);
            ssr += r * r;
        }
        return (slope, Math.Sqrt(ssr / (m - 2) / sxx));
    }
}

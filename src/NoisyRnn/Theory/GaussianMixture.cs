namespace NoisyRnn.Theory;

/// <summary>
/// A finite mixture of multivariate normals, p(x) = Σ_k w_k N(x; μ_k, Σ_k). Its score is the responsibility-weighted
/// average of the component scores, ∇ log p(x) = Σ_k γ_k(x) (−Σ_k⁻¹ (x − μ_k)) with γ_k = w_k N_k(x) / p(x), computed
/// with a log-sum-exp so that it stays finite far from every component (THEORY.md, prediction 1: the multimodal
/// test case, e.g. 0.3 N(−0.8, 0.4²) + 0.7 N(0.8, 0.5²)).
/// </summary>
public sealed class GaussianMixture : IScoredDensity
{
    // Weights are normalised by their sum; they must be positive (a zero-weight component is an input error).
    private readonly double[] _logWeights;
    private readonly MultivariateGaussian[] _components;

    // One-dimensional fast path (the sampler evaluates the score of every chain at every step): per component the mean,
    // the precision 1/std² and log w_k + the log normaliser.
    private readonly double[]? _mean1, _precision1, _offset1;

    /// <summary>Creates the mixture.</summary>
    /// <param name="weights">Mixture weights, [K]; finite and &gt; 0; normalised by their sum (need not sum to 1).</param>
    /// <param name="components">The K components; all with the same dimension.</param>
    /// <exception cref="ArgumentNullException">An argument or a component is null.</exception>
    /// <exception cref="ArgumentException">No components, the counts differ, or the dimensions differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A weight is not finite and positive.</exception>
    public GaussianMixture(double[] weights, MultivariateGaussian[] components)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(components);
        if (components.Length == 0) throw new ArgumentException("A mixture needs at least one component.", nameof(components));
        Guard.Length(weights.Length, components.Length, nameof(weights), $"one weight per component ({components.Length})");
        double total = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            if (!(weights[k] > 0) || !double.IsFinite(weights[k]))
                throw new ArgumentOutOfRangeException(nameof(weights), weights[k], $"weights[{k}] must be finite and > 0.");
            total += weights[k];
        }
        foreach (var c in components) ArgumentNullException.ThrowIfNull(c, nameof(components));
        int d = components[0].Dimensions;
        if (components.Any(c => c.Dimensions != d))
            throw new ArgumentException("All components must have the same dimension.", nameof(components));
        Dimensions = d;
        _components = (MultivariateGaussian[])components.Clone();
        _logWeights = weights.Select(w => Math.Log(w / total)).ToArray();
        if (d == 1)
        {
            _mean1 = _components.Select(c => c.Mean[0]).ToArray();
            _precision1 = _components.Select(c => c.PrecisionEntry(0, 0)).ToArray();
            _offset1 = _components.Select((c, k) => _logWeights[k] + c.LogNormaliser).ToArray();
        }
    }

    /// <summary>A one-dimensional mixture Σ_k w_k N(means_k, stds_k²).</summary>
    /// <param name="weights">Weights, [K]; finite and &gt; 0; normalised by their sum.</param>
    /// <param name="means">Component means, [K]; finite.</param>
    /// <param name="stds">Component standard deviations, [K]; finite and &gt; 0.</param>
    /// <returns>The mixture.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static GaussianMixture OneDimensional(double[] weights, double[] means, double[] stds)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(stds);
        Guard.Length(means.Length, weights.Length, nameof(means), $"one mean per weight ({weights.Length})");
        Guard.Length(stds.Length, weights.Length, nameof(stds), $"one std per weight ({weights.Length})");
        return new GaussianMixture(weights, means.Select((m, k) => MultivariateGaussian.OneDimensional(m, stds[k])).ToArray());
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public bool IsCircular => false;

    /// <summary>Number of components K.</summary>
    public int ComponentCount => _components.Length;

    /// <inheritdoc />
    public void LogDensity(ReadOnlySpan<double> points, Span<double> logDensity)
    {
        int d = Dimensions;
        int m = DensityChecks.Points(points, d, logDensity.Length, 1, nameof(logDensity));
        Span<double> z = stackalloc double[d];
        Span<double> terms = stackalloc double[_components.Length];
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < _components.Length; k++)
            {
                terms[k] = _logWeights[k] + _components[k].LogDensityAndWhitened(points.Slice(i * d, d), z);
                max = Math.Max(max, terms[k]);
            }
            double sum = 0;
            for (int k = 0; k < _components.Length; k++) sum += Math.Exp(terms[k] - max);
            logDensity[i] = max + Math.Log(sum);
        }
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<double> points, Span<double> scores)
    {
        int d = Dimensions, K = _components.Length;
        int m = DensityChecks.Points(points, d, scores.Length, d, nameof(scores));
        if (_mean1 is not null && K <= 16)
        {
            Span<double> t = stackalloc double[K];
            for (int i = 0; i < m; i++)
            {
                double x = points[i], max = double.NegativeInfinity;
                for (int k = 0; k < K; k++)
                {
                    double u = x - _mean1[k];
                    t[k] = _offset1![k] - 0.5 * _precision1![k] * u * u;
                    max = Math.Max(max, t[k]);
                }
                double sum = 0, weighted = 0;
                for (int k = 0; k < K; k++)
                {
                    double e = Math.Exp(t[k] - max);
                    sum += e;
                    weighted -= e * _precision1![k] * (x - _mean1[k]);
                }
                scores[i] = weighted / sum;
            }
            return;
        }
        Span<double> z = stackalloc double[K * d];
        Span<double> terms = stackalloc double[K];
        for (int i = 0; i < m; i++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < K; k++)
            {
                terms[k] = _logWeights[k] + _components[k].LogDensityAndWhitened(points.Slice(i * d, d), z.Slice(k * d, d));
                max = Math.Max(max, terms[k]);
            }
            double sum = 0;
            for (int k = 0; k < K; k++)
            {
                terms[k] = Math.Exp(terms[k] - max);
                sum += terms[k];
            }
            for (int a = 0; a < d; a++)
            {
                double s = 0;
                for (int k = 0; k < K; k++) s -= terms[k] * z[k * d + a];
                scores[i * d + a] = s / sum;
            }
        }
    }
}

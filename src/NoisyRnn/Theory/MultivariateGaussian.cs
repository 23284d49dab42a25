using MathNet.Numerics.LinearAlgebra;

namespace NoisyRnn.Theory;

/// <summary>
/// The multivariate normal density N(mean, covariance): log p(x) = −½ (x − μ)ᵀ Σ⁻¹ (x − μ) − ½ log |2π Σ|, score
/// ∇ log p(x) = −Σ⁻¹ (x − μ) (THEORY.md, prediction 1: a density whose score is known in closed form).
/// </summary>
public sealed class MultivariateGaussian : IScoredDensity
{
    // The covariance must be symmetric to this relative tolerance (it is typed in or computed, so rounding only).
    private const double SymmetryTolerance = 1e-10;

    private readonly double[] _mean;
    private readonly double[] _precision; // [d, d] row-major Σ⁻¹
    private readonly double _logNorm;

    /// <summary>Creates the density.</summary>
    /// <param name="mean">μ, [d]; finite; d ≥ 1. Copied.</param>
    /// <param name="covariance">Σ, [d, d] row-major; finite, symmetric and positive definite. Copied.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Empty mean, wrong covariance length, a non-finite value, an asymmetric or a not
    /// positive-definite covariance.</exception>
    public MultivariateGaussian(double[] mean, double[] covariance)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        int d = mean.Length;
        if (d == 0) throw new ArgumentException("mean must have at least one coordinate.", nameof(mean));
        Guard.Length(covariance.Length, (long)d * d, nameof(covariance), $"[d, d] = [{d}, {d}]");
        Guard.AllFinite(mean, nameof(mean));
        Guard.AllFinite(covariance, nameof(covariance));
        for (int a = 0; a < d; a++)
            for (int b = 0; b < a; b++)
            {
                double x = covariance[a * d + b], y = covariance[b * d + a];
                if (Math.Abs(x - y) > SymmetryTolerance * Math.Max(Math.Abs(x), Math.Abs(y)) && x != y)
                    throw new ArgumentException($"covariance must be symmetric; entries [{a}, {b}] = {x} and [{b}, {a}] = {y} differ.", nameof(covariance));
            }
        var matrix = Matrix<double>.Build.Dense(d, d, (a, b) => covariance[a * d + b]);
        MathNet.Numerics.LinearAlgebra.Factorization.Cholesky<double> cholesky;
        try
        {
            cholesky = matrix.Cholesky();
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("covariance must be positive definite.", nameof(covariance));
        }
        double logDet = 0;
        for (int k = 0; k < d; k++)
        {
            double pivot = cholesky.Factor[k, k];
            if (!(pivot > 0) || !double.IsFinite(pivot))
                throw new ArgumentException("covariance must be positive definite.", nameof(covariance));
            logDet += 2 * Math.Log(pivot);
        }
        Matrix<double> inverse = cholesky.Solve(Matrix<double>.Build.DenseIdentity(d));
        _precision = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) _precision[a * d + b] = 0.5 * (inverse[a, b] + inverse[b, a]);
        if (!IsAllFinite(_precision)) throw new ArgumentException("covariance must be positive definite.", nameof(covariance));
        _mean = (double[])mean.Clone();
        Covariance = (double[])covariance.Clone();
        _logNorm = -0.5 * (d * Math.Log(2 * Math.PI) + logDet);
    }

    private static bool IsAllFinite(double[] values) => System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<double>(values);

    /// <summary>A one-dimensional normal N(mean, std²).</summary>
    /// <param name="mean">μ; finite.</param>
    /// <param name="std">Standard deviation; finite and &gt; 0.</param>
    /// <returns>The density.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not finite or <paramref name="std"/> is not finite and positive.</exception>
    public static MultivariateGaussian OneDimensional(double mean, double std)
    {
        Guard.Finite(mean);
        Guard.Positive(std);
        return new MultivariateGaussian([mean], [std * std]);
    }

    /// <inheritdoc />
    public int Dimensions => _mean.Length;

    /// <inheritdoc />
    public bool IsCircular => false;

    /// <summary>μ, [d]; a copy.</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>Σ, [d, d] row-major, as given.</summary>
    public double[] Covariance { get; }

    /// <inheritdoc />
    public void LogDensity(ReadOnlySpan<double> points, Span<double> logDensity)
    {
        int d = Dimensions;
        int m = DensityChecks.Points(points, d, logDensity.Length, 1, nameof(logDensity));
        Span<double> z = stackalloc double[d];
        for (int i = 0; i < m; i++) logDensity[i] = LogDensityAndWhitened(points.Slice(i * d, d), z);
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<double> points, Span<double> scores)
    {
        int d = Dimensions;
        int m = DensityChecks.Points(points, d, scores.Length, d, nameof(scores));
        Span<double> z = stackalloc double[d];
        for (int i = 0; i < m; i++)
        {
            LogDensityAndWhitened(points.Slice(i * d, d), z);
            for (int k = 0; k < d; k++) scores[i * d + k] = -z[k];
        }
    }

    internal double LogNormaliser => _logNorm;

    internal double PrecisionEntry(int a, int b) => _precision[a * _mean.Length + b];

    // Returns log p(x) and writes Σ⁻¹ (x − μ) (the negative score) to precisionTimesOffset.
    internal double LogDensityAndWhitened(ReadOnlySpan<double> x, Span<double> precisionTimesOffset)
    {
        int d = _mean.Length;
        double quadratic = 0;
        for (int a = 0; a < d; a++)
        {
            double s = 0;
            for (int b = 0; b < d; b++) s += _precision[a * d + b] * (x[b] - _mean[b]);
            precisionTimesOffset[a] = s;
            quadratic += (x[a] - _mean[a]) * s;
        }
        return _logNorm - 0.5 * quadratic;
    }
}

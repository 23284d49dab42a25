namespace NoisyRnn.Analysis;

/// <summary>
/// A fitted density estimate that the KL estimators of <see cref="KlDivergence"/> can evaluate and sample:
/// <see cref="GaussianKde"/> (Euclidean coordinates, the paper's estimator) and <see cref="CircularKde"/> (one angle on the
/// circle, the paper-mode estimator of head directions). Implementations are immutable and safe to use from several
/// threads at once.
/// </summary>
public interface IKernelDensity
{
    /// <summary>d, the number of coordinates per point (1 for <see cref="CircularKde"/>); ≥ 1.</summary>
    int Dimensions { get; }

    /// <summary>
    /// Short name of the estimator, for reports (<c>density_estimator</c> in summary.json): <c>gaussian_kde</c> for
    /// <see cref="GaussianKde"/>, <c>von_mises_kde</c> for <see cref="CircularKde"/>.
    /// </summary>
    string Estimator { get; }

    /// <summary>
    /// Natural log of the normalised density at each point. Finite for every finite query, or −∞ where the density is
    /// zero to within the range of a double (never NaN).
    /// </summary>
    /// <param name="points">Query points, [m, d] row-major, finite; m may be 0.</param>
    /// <returns>Log densities, [m].</returns>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value (ParamName "points").</exception>
    double[] LogEvaluate(ReadOnlySpan<double> points);

    /// <summary>Draws points from the estimate; the same seed gives the same points.</summary>
    /// <param name="count">Number of points; &gt; 0.</param>
    /// <param name="seed">Any 64-bit seed.</param>
    /// <returns>Points, [count, d] row-major.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> ≤ 0.</exception>
    double[] Resample(int count, ulong seed);
}

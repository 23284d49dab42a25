namespace NoisyRnn.Theory;

/// <summary>
/// A probability density p with a known score ∇ log p (THEORY.md, "Quiescence is Langevin sampling" and prediction 1).
/// Densities of this kind drive <see cref="LangevinSampler"/> and give <see cref="GridDensity"/> its predicted
/// stationary densities. Implementations are immutable and safe to use from several threads at once.
/// </summary>
public interface IScoredDensity
{
    /// <summary>d, the number of coordinates per point; ≥ 1.</summary>
    int Dimensions { get; }

    /// <summary>
    /// True for a density of one angle on the circle (d = 1, period 2π, coordinates in radians): samplers wrap
    /// states into [−π, π) and grids should span exactly one period.
    /// </summary>
    bool IsCircular { get; }

    /// <summary>Natural log of the normalised density at each point.</summary>
    /// <param name="points">Points, [m, d] row-major; finite.</param>
    /// <param name="logDensity">Receives log p, [m].</param>
    /// <exception cref="ArgumentException">A length does not match [m, d] / [m], or a point is not finite.</exception>
    void LogDensity(ReadOnlySpan<double> points, Span<double> logDensity);

    /// <summary>The score ∇_x log p(x) at each point (units: 1 / unit of x).</summary>
    /// <param name="points">Points, [m, d] row-major; finite.</param>
    /// <param name="scores">Receives the scores, [m, d] row-major; may not overlap <paramref name="points"/>.</param>
    /// <exception cref="ArgumentException">A length does not match [m, d], or a point is not finite.</exception>
    void Score(ReadOnlySpan<double> points, Span<double> scores);
}

/// <summary>Shape checks shared by the densities of this namespace.</summary>
internal static class DensityChecks
{
    public static int Points(ReadOnlySpan<double> points, int d, int outputLength, int outputPerPoint, string outputName)
    {
        if (points.Length % d != 0)
            throw new ArgumentException($"points has length {points.Length}, which is not a multiple of d = {d}; expected shape [m, {d}].", nameof(points));
        int m = points.Length / d;
        Guard.Length(outputLength, (long)m * outputPerPoint, outputName, outputPerPoint == 1 ? $"[m] = [{m}]" : $"[m, d] = [{m}, {d}]");
        Guard.AllFinite(points, nameof(points));
        return m;
    }
}

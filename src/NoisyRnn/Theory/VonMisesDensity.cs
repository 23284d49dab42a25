namespace NoisyRnn.Theory;

/// <summary>
/// The von Mises density of an angle θ (radians) on the circle, p(θ) = exp(κ cos(θ − μ)) / (2π I₀(κ)), with score
/// d log p / dθ = −κ sin(θ − μ) (THEORY.md, prediction 1: a density on the circle, as the head-direction task's).
/// Tempering gives a von Mises again: p^β ∝ von Mises(μ, βκ), so the predicted quiescent density with σ_q = σ is
/// von Mises(μ, 2κ).
/// </summary>
public sealed class VonMisesDensity : IScoredDensity
{
    // Nodes of the trapezoid rule for log(2π I₀(κ)); for a periodic analytic integrand the error falls faster than
    // any power of the node count, and 4096 nodes resolve exp(κ(cos − 1)) to double precision for κ up to ~10^5.
    private const int NormalisationNodes = 4096;

    private readonly double _logNorm;

    /// <summary>Creates the density.</summary>
    /// <param name="mean">μ, radians; finite (any value; only μ mod 2π matters).</param>
    /// <param name="kappa">Concentration κ; finite and ≥ 0 (0 is the uniform density 1/(2π)).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public VonMisesDensity(double mean, double kappa)
    {
        Guard.Finite(mean);
        Guard.NonNegative(kappa);
        Mean = mean;
        Kappa = kappa;
        // log ∫ exp(κ cos u) du = κ + log ∫ exp(κ (cos u − 1)) du, the integral by the trapezoid rule over one period.
        double sum = 0;
        for (int j = 0; j < NormalisationNodes; j++) sum += Math.Exp(kappa * (Math.Cos(2 * Math.PI * j / NormalisationNodes) - 1));
        _logNorm = -(kappa + Math.Log(sum * 2 * Math.PI / NormalisationNodes));
    }

    /// <summary>μ, radians.</summary>
    public double Mean { get; }

    /// <summary>κ, the concentration (1/κ is roughly the variance of θ for large κ).</summary>
    public double Kappa { get; }

    /// <inheritdoc />
    public int Dimensions => 1;

    /// <inheritdoc />
    public bool IsCircular => true;

    /// <inheritdoc />
    public void LogDensity(ReadOnlySpan<double> points, Span<double> logDensity)
    {
        int m = DensityChecks.Points(points, 1, logDensity.Length, 1, nameof(logDensity));
        for (int i = 0; i < m; i++) logDensity[i] = _logNorm + Kappa * Math.Cos(points[i] - Mean);
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Score(ReadOnlySpan<double> points, Span<double> scores)
    {
        int m = DensityChecks.Points(points, 1, scores.Length, 1, nameof(scores));
        for (int i = 0; i < m; i++) scores[i] = -Kappa * Math.Sin(points[i] - Mean);
    }
}

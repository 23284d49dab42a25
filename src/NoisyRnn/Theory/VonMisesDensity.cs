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

/// <summary>
/// Closed-form Jacobian of von Mises tuning curves, the head-direction code of the paper's second task
/// (THEORY.md, "Measuring the decomposition": J_f for HD cells). A cell with preferred angle μ_i responds
/// f_i(θ) = exp(κ (cos(θ − μ_i) − 1)) (the form that stays finite for every κ; see DESIGN.md "von Mises tuning"), so
/// df_i/dθ = −κ sin(θ − μ_i) f_i(θ). This is the unnormalised tuning; a code normalised over cells needs the softmax
/// correction (subtract the activation-weighted mean of the per-cell log-derivatives).
/// </summary>
public static class VonMisesTuning
{
    /// <summary>Tuning values f_i(θ) = exp(κ (cos(θ − μ_i) − 1)), in (0, 1].</summary>
    /// <param name="angle">θ, radians; finite.</param>
    /// <param name="preferred">Preferred angles μ_i, [cells], radians; finite.</param>
    /// <param name="kappa">Concentration κ; finite and ≥ 0.</param>
    /// <param name="values">Receives f_i(θ), [cells].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="angle"/> or <paramref name="kappa"/> out of range.</exception>
    /// <exception cref="ArgumentException">Lengths differ or a preferred angle is not finite.</exception>
    public static void Evaluate(double angle, ReadOnlySpan<double> preferred, double kappa, Span<double> values)
    {
        Check(angle, preferred, kappa, values.Length, nameof(values));
        for (int i = 0; i < preferred.Length; i++) values[i] = Math.Exp(kappa * (Math.Cos(angle - preferred[i]) - 1));
    }

    /// <summary>The Jacobian df_i/dθ = −κ sin(θ − μ_i) exp(κ (cos(θ − μ_i) − 1)), per radian.</summary>
    /// <param name="angle">θ, radians; finite.</param>
    /// <param name="preferred">Preferred angles μ_i, [cells], radians; finite.</param>
    /// <param name="kappa">Concentration κ; finite and ≥ 0.</param>
    /// <param name="jacobian">Receives df_i/dθ, [cells].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="angle"/> or <paramref name="kappa"/> out of range.</exception>
    /// <exception cref="ArgumentException">Lengths differ or a preferred angle is not finite.</exception>
    public static void Jacobian(double angle, ReadOnlySpan<double> preferred, double kappa, Span<double> jacobian)
    {
        Check(angle, preferred, kappa, jacobian.Length, nameof(jacobian));
        for (int i = 0; i < preferred.Length; i++)
        {
            double d = angle - preferred[i];
            jacobian[i] = -kappa * Math.Sin(d) * Math.Exp(kappa * (Math.Cos(d) - 1));
        }
    }

    private static void Check(double angle, ReadOnlySpan<double> preferred, double kappa, int outputLength, string outputName)
    {
        Guard.Finite(angle);
        Guard.NonNegative(kappa);
        Guard.Length(outputLength, preferred.Length, outputName, $"[cells] = [{preferred.Length}]");
        Guard.AllFinite(preferred, nameof(preferred));
    }
}

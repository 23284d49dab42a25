namespace NoisyRnn.Theory;

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

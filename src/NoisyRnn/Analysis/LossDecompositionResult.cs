using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// The per-step loss of a trained network split into the theory's denoising, integration and noise terms
/// (THEORY.md, "Measuring the decomposition"). Every term is averaged like the training loss: over the batch and
/// divided by the number of output units. Arrays are indexed by the transition k = 0 .. time − 2, from the state after
/// step k (r_t) to the state after step k + 1 (r_{t+1}).
/// </summary>
/// <param name="Denoise">L_denoise = E||a_t||² / out with a_t = f(s_t) − (D (r_t + φ(r_t, 0) Δt) + b_out), [time − 1].</param>
/// <param name="Integrate">L_integrate = E||b_t||² / out with b_t = f(s_{t+1}) − f(s_t) − D (φ(r_t, ṡ_t) − φ(r_t, 0)) Δt, [time − 1].</param>
/// <param name="Noise">L_noise = E||D n_t||² / out over the noise distribution: s² ||D||_F² / out for Gaussian draws;
/// for U[0,1) draws (mean 1/2, variance 1/12) s² (||D||_F² / 12 + ||D 1||² / 4) / out. Constant over steps, [time − 1].</param>
/// <param name="Cross">−2 E[(a_t + b_t) · D n_t] / out: 0 for zero-mean noise; for U[0,1) draws −2 (s/2) mean(a_t + b_t) · D 1 / out
/// (the mean of the noise is not zero, so the residual and the noise correlate through it), [time − 1].</param>
/// <param name="Combined">E||a_t + b_t||² / out, [time − 1].</param>
/// <param name="Total">The measured loss L(t+1) = E||f(s_{t+1}) − y_{t+1}||² / out with the noise actually drawn, [time − 1].
/// In expectation Total = Combined + Noise + Cross exactly.</param>
/// <param name="RecurrentStd">s, the per-step recurrent noise std used.</param>
/// <param name="Distribution">The distribution of the raw draws.</param>
public sealed record LossDecompositionResult(double[] Denoise, double[] Integrate, double[] Noise, double[] Cross, double[] Combined,
    double[] Total, float RecurrentStd, NoiseDistribution Distribution)
{
    /// <summary>Mean of <see cref="Denoise"/> over steps.</summary>
    public double MeanDenoise => Denoise.Average();

    /// <summary>Mean of <see cref="Integrate"/> over steps.</summary>
    public double MeanIntegrate => Integrate.Average();

    /// <summary>Mean of <see cref="Noise"/> over steps.</summary>
    public double MeanNoise => Noise.Average();

    /// <summary>Mean of <see cref="Cross"/> over steps.</summary>
    public double MeanCross => Cross.Average();

    /// <summary>Mean of <see cref="Combined"/> over steps.</summary>
    public double MeanCombined => Combined.Average();

    /// <summary>Mean of <see cref="Total"/> over steps.</summary>
    public double MeanTotal => Total.Average();

    /// <summary>
    /// The upper bound 2 L_denoise + 2 L_integrate + L_noise + cross of the mean loss (||a + b||² ≤ 2||a||² + 2||b||²);
    /// the cross term is 0 for zero-mean noise.
    /// </summary>
    public double MeanBound => 2 * MeanDenoise + 2 * MeanIntegrate + MeanNoise + MeanCross;
}

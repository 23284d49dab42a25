
namespace NoisyRnn.Kernels;

/// <summary>
/// Scalar twin of <see cref="Fused"/>: the same kernels with the same signatures, one element at a time with the
/// same operation order (test oracle and fallback). tanh and sigmoid use <see cref="MathF"/>, so they may differ
/// from the SIMD path (TensorPrimitives) by a few ulp.
/// </summary>
public static class FusedScalar
{
    /// <summary>
    /// Leaky (Euler) update of the hidden state: next = (1 - alpha)·previous + alpha·act(preActivation) + noiseScale·noise,
    /// with results of magnitude below the smallest normal float (1.17549435e-38) flushed to 0, as in <see cref="Fused"/>.
    /// </summary>
    /// <param name="previous">h_{t-1}, any length n.</param>
    /// <param name="preActivation">u_t, length n.</param>
    /// <param name="noise">Raw noise draws xi_t, length n; or empty for no noise.</param>
    /// <param name="alpha">dt / tau, in (0, 1].</param>
    /// <param name="noiseScale">Per-step noise std s multiplying the raw draws.</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="next">h_t, length n; may be the very same span as an input.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="previous"/>'s.</exception>
    public static void LeakyUpdate(ReadOnlySpan<float> previous, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> noise,
        float alpha, float noiseScale, Activation activation, Span<float> next)
    {
        int n = previous.Length;
        Fused.CheckLeaky(n, preActivation, noise, next);
        bool hasNoise = noise.Length != 0 && noiseScale != 0f;
        float keep = 1f - alpha;
        for (int i = 0; i < n; i++)
        {
            float r = MathF.FusedMultiplyAdd(alpha, Activate(preActivation[i], activation), previous[i] * keep);
            if (hasNoise) r = MathF.FusedMultiplyAdd(noiseScale, noise[i], r);
            next[i] = Fused.FlushSubnormal(r);
        }
    }

    /// <summary>
    /// Backward of the activation inside the leaky update: preActivationGradient = hiddenGradient·alpha·act'(preActivation).
    /// </summary>
    /// <param name="hiddenGradient">dL/dh_t, any length n.</param>
    /// <param name="preActivation">u_t saved by the forward pass, length n.</param>
    /// <param name="alpha">dt / tau, in (0, 1].</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="preActivationGradient">dL/du_t, length n; may be the very same span as an input.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="hiddenGradient"/>'s.</exception>
    public static void ActivationBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> preActivation, float alpha,
        Activation activation, Span<float> preActivationGradient)
    {
        int n = hiddenGradient.Length;
        Guard.Length(preActivation.Length, n, "preActivation", "[n] = hiddenGradient.Length");
        Guard.Length(preActivationGradient.Length, n, "preActivationGradient", "[n] = hiddenGradient.Length");
        for (int i = 0; i < n; i++)
        {
            float u = preActivation[i];
            float scaled = hiddenGradient[i] * alpha;
            preActivationGradient[i] = activation switch
            {
                Activation.Relu => u > 0f ? scaled : 0f,
                Activation.Tanh => scaled * (1f - MathF.Tanh(u) * MathF.Tanh(u)),
                Activation.Sigmoid => scaled * (Sigmoid(u) * (1f - Sigmoid(u))),
                _ => scaled,
            };
        }
    }

    /// <summary>act(u) for one value.</summary>
    /// <param name="u">Pre-activation.</param>
    /// <param name="activation">The nonlinearity.</param>
    /// <returns>max(0, u), tanh(u), 1/(1+exp(-u)) or u.</returns>
    public static float Activate(float u, Activation activation) => activation switch
    {
        Activation.Relu => MathF.Max(u, 0f),
        Activation.Tanh => MathF.Tanh(u),
        Activation.Sigmoid => Sigmoid(u),
        _ => u,
    };

    private static float Sigmoid(float u) => 1f / (1f + MathF.Exp(-u));
}

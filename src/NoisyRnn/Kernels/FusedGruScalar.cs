
namespace NoisyRnn.Kernels;

/// <summary>
/// Scalar twin of <see cref="FusedGru"/>: the same kernels with the same signatures, one element at a time with the
/// same operation order (test oracle and fallback). act uses <see cref="MathF"/>, so tanh and sigmoid may differ from
/// the SIMD path (TensorPrimitives) by a few ulp.
/// </summary>
internal static class FusedGruScalar
{
    /// <summary>GRU state update: next = previous + alpha·(z - 1)·(previous - act(u)) + noiseScale·noise.</summary>
    /// <param name="previous">h_{t-1}, any length n.</param>
    /// <param name="updateGate">z_t, length n.</param>
    /// <param name="candidatePreActivation">u_t, length n.</param>
    /// <param name="noise">Raw draws xi_t, length n; or empty.</param>
    /// <param name="alpha">dt / tau, in (0, 1].</param>
    /// <param name="noiseScale">Per-step noise std s.</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="next">h_t, length n; may be the very same span as <paramref name="previous"/>.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="previous"/>'s.</exception>
    public static void Update(ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate, ReadOnlySpan<float> candidatePreActivation,
        ReadOnlySpan<float> noise, float alpha, float noiseScale, Activation activation, Span<float> next)
    {
        int n = previous.Length;
        FusedGru.Check(n, updateGate.Length, nameof(updateGate));
        FusedGru.Check(n, candidatePreActivation.Length, nameof(candidatePreActivation));
        if (noise.Length != 0) FusedGru.Check(n, noise.Length, nameof(noise));
        FusedGru.Check(n, next.Length, nameof(next));
        bool hasNoise = noise.Length != 0 && noiseScale != 0f;
        for (int i = 0; i < n; i++)
        {
            float p = previous[i];
            float r = MathF.FusedMultiplyAdd(alpha * (updateGate[i] - 1f), p - FusedScalar.Activate(candidatePreActivation[i], activation), p);
            if (hasNoise) r = MathF.FusedMultiplyAdd(noiseScale, noise[i], r);
            next[i] = r;
        }
    }

    /// <summary>Backward of <see cref="Update"/> (same formulas as <see cref="FusedGru.UpdateBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, Activation, Span{float}, Span{float}, Span{float})"/>).</summary>
    /// <param name="hiddenGradient">g = dL/dh_t, any length n.</param>
    /// <param name="previous">h_{t-1}, length n.</param>
    /// <param name="updateGate">z_t, length n.</param>
    /// <param name="candidatePreActivation">u_t, length n.</param>
    /// <param name="alpha">dt / tau.</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="updateGatePreGradient">Receives g·alpha·(h_{t-1} - act(u))·z(1 - z).</param>
    /// <param name="candidatePreGradient">Receives g·alpha·(1 - z)·act'(u).</param>
    /// <param name="previousGradient">g·(1 + alpha(z - 1)) is ADDED to it.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="hiddenGradient"/>'s.</exception>
    public static void UpdateBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate,
        ReadOnlySpan<float> candidatePreActivation, float alpha, Activation activation, Span<float> updateGatePreGradient,
        Span<float> candidatePreGradient, Span<float> previousGradient)
    {
        int n = hiddenGradient.Length;
        FusedGru.Check(n, previous.Length, nameof(previous));
        FusedGru.Check(n, updateGate.Length, nameof(updateGate));
        FusedGru.Check(n, candidatePreActivation.Length, nameof(candidatePreActivation));
        FusedGru.Check(n, updateGatePreGradient.Length, nameof(updateGatePreGradient));
        FusedGru.Check(n, candidatePreGradient.Length, nameof(candidatePreGradient));
        FusedGru.Check(n, previousGradient.Length, nameof(previousGradient));
        int kind = FusedGru.ActivationKind(activation);
        for (int i = 0; i < n; i++)
        {
            float g = hiddenGradient[i], zz = updateGate[i], u = candidatePreActivation[i];
            float av = FusedScalar.Activate(u, activation);
            float ga = g * alpha;
            float dact = kind == 0 ? (u > 0f ? 1f : 0f) : kind == 1 ? 1f - av * av : kind == 2 ? av * (1f - av) : 1f;
            updateGatePreGradient[i] = ga * (previous[i] - av) * (zz * (1f - zz));
            candidatePreGradient[i] = ga * (1f - zz) * dact;
            previousGradient[i] = MathF.FusedMultiplyAdd(g, 1f + alpha * (zz - 1f), previousGradient[i]);
        }
    }

    /// <summary>Backward of q = r ⊙ h_{t-1}: resetGatePreGradient = dq·h_{t-1}·r(1 - r); previousGradient += dq·r.</summary>
    /// <param name="gatedGradient">dL/dq, any length n.</param>
    /// <param name="previous">h_{t-1}, length n.</param>
    /// <param name="resetGate">r_t, length n.</param>
    /// <param name="resetGatePreGradient">Receives dL/d(reset pre-activation), length n.</param>
    /// <param name="previousGradient">dq·r is ADDED to it, length n.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="gatedGradient"/>'s.</exception>
    public static void ResetBackward(ReadOnlySpan<float> gatedGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> resetGate,
        Span<float> resetGatePreGradient, Span<float> previousGradient)
    {
        int n = gatedGradient.Length;
        FusedGru.Check(n, previous.Length, nameof(previous));
        FusedGru.Check(n, resetGate.Length, nameof(resetGate));
        FusedGru.Check(n, resetGatePreGradient.Length, nameof(resetGatePreGradient));
        FusedGru.Check(n, previousGradient.Length, nameof(previousGradient));
        for (int i = 0; i < n; i++)
        {
            float q = gatedGradient[i], rr = resetGate[i];
            resetGatePreGradient[i] = q * previous[i] * (rr * (1f - rr));
            previousGradient[i] = MathF.FusedMultiplyAdd(q, rr, previousGradient[i]);
        }
    }
}

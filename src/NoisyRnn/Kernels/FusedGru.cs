using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NoisyRnn.Kernels;

/// <summary>
/// Fused element-wise kernels of the continuous-time GRU step (<c>Models.GruRnn</c>) and of its back-propagation,
/// each one pass over memory, written once over <see cref="ISimdVector{TSelf}"/> and run at each tier by <see cref="Simd.Run"/>, with a scalar tail (scalar twin:
/// <see cref="FusedGruScalar"/>). Source: reference <c>GRU.forward</c> in models/gru.py, the update
/// <c>h &lt;- h + alpha (z - 1)(h - act(u)) + s xi</c> (fixture README, "Reference semantics").
/// </summary>
internal static unsafe class FusedGru
{
    /// <summary>Elements processed per chunk when act(u) is evaluated first into a stack buffer.</summary>
    private const int Chunk = 256;

    /// <summary>GRU state update: next = previous + alpha·(z - 1)·(previous - act(u)) + noiseScale·noise.</summary>
    /// <param name="previous">h_{t-1}, any length n.</param>
    /// <param name="updateGate">z_t = sigmoid(W_z x + U_z h_{t-1}), length n, values in (0, 1).</param>
    /// <param name="candidatePreActivation">u_t = W_h x + U_h (r_t ⊙ h_{t-1}), length n.</param>
    /// <param name="noise">Raw noise draws xi_t, length n; or empty for no noise.</param>
    /// <param name="alpha">dt / tau, in (0, 1] (not checked: kernels trust their callers' validated options).</param>
    /// <param name="noiseScale">Per-step noise std s multiplying the raw draws.</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="next">h_t, length n; may be the very same span as <paramref name="previous"/> (in place), must not partially overlap an input.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="previous"/>'s.</exception>
    public static void Update(ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate, ReadOnlySpan<float> candidatePreActivation,
        ReadOnlySpan<float> noise, float alpha, float noiseScale, Activation activation, Span<float> next) =>
        Update(previous, updateGate, candidatePreActivation, noise, alpha, noiseScale, activation, next, Isa.Tier);

    /// <summary>
    /// Backward of <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, float, Activation, Span{float})"/> with respect to h_{t-1}, the update-gate pre-activation and u_t, given dL/dh_t = g:
    /// updateGatePreGradient = g·alpha·(h_{t-1} - act(u))·z(1 - z); candidatePreGradient = g·alpha·(1 - z)·act'(u);
    /// previousGradient += g·(1 + alpha(z - 1)) (the direct path; the gate paths are added by the caller's GEMMs).
    /// </summary>
    /// <param name="hiddenGradient">g = dL/dh_t, any length n.</param>
    /// <param name="previous">h_{t-1}, length n.</param>
    /// <param name="updateGate">z_t, length n.</param>
    /// <param name="candidatePreActivation">u_t, length n.</param>
    /// <param name="alpha">dt / tau, in (0, 1].</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="updateGatePreGradient">Receives dL/d(W_z x + U_z h), length n (overwritten).</param>
    /// <param name="candidatePreGradient">Receives dL/du_t, length n (overwritten).</param>
    /// <param name="previousGradient">dL/dh_{t-1}, length n; the direct path is ADDED to it.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="hiddenGradient"/>'s.</exception>
    public static void UpdateBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate,
        ReadOnlySpan<float> candidatePreActivation, float alpha, Activation activation, Span<float> updateGatePreGradient,
        Span<float> candidatePreGradient, Span<float> previousGradient) =>
        UpdateBackward(hiddenGradient, previous, updateGate, candidatePreActivation, alpha, activation, updateGatePreGradient,
            candidatePreGradient, previousGradient, Isa.Tier);

    /// <summary>
    /// Backward of the reset gating q = r ⊙ h_{t-1} given dL/dq: resetGatePreGradient = dq·h_{t-1}·r(1 - r);
    /// previousGradient += dq·r.
    /// </summary>
    /// <param name="gatedGradient">dL/dq, any length n.</param>
    /// <param name="previous">h_{t-1}, length n.</param>
    /// <param name="resetGate">r_t, length n.</param>
    /// <param name="resetGatePreGradient">Receives dL/d(W_r x + U_r h), length n (overwritten).</param>
    /// <param name="previousGradient">dL/dh_{t-1}, length n; dq·r is ADDED to it.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="gatedGradient"/>'s.</exception>
    public static void ResetBackward(ReadOnlySpan<float> gatedGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> resetGate,
        Span<float> resetGatePreGradient, Span<float> previousGradient) =>
        ResetBackward(gatedGradient, previous, resetGate, resetGatePreGradient, previousGradient, Isa.Tier);

    internal static void Check(int n, int length, string name)
    {
        Guard.Length(length, n, name, "[n] = the first argument's length");
    }

    /// <summary>Writes act(u) for a chunk (TensorPrimitives for tanh and sigmoid).</summary>
    private static void Activate(ReadOnlySpan<float> u, Activation activation, Span<float> a)
    {
        switch (activation)
        {
            case Activation.Relu: TensorPrimitives.Max(u, 0f, a); break;
            case Activation.Tanh: TensorPrimitives.Tanh(u, a); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(u, a); break;
            default: u.CopyTo(a); break;
        }
    }

    internal static void Update(ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate, ReadOnlySpan<float> candidatePreActivation,
        ReadOnlySpan<float> noise, float alpha, float noiseScale, Activation activation, Span<float> next, IsaTier tier)
    {
        int n = previous.Length;
        Check(n, updateGate.Length, nameof(updateGate));
        Check(n, candidatePreActivation.Length, nameof(candidatePreActivation));
        if (noise.Length != 0) Check(n, noise.Length, nameof(noise));
        Check(n, next.Length, nameof(next));
        if (tier == IsaTier.Scalar)
        {
            FusedGruScalar.Update(previous, updateGate, candidatePreActivation, noise, alpha, noiseScale, activation, next);
            return;
        }
        bool hasNoise = noise.Length != 0 && noiseScale != 0f;
        float* a = stackalloc float[Chunk];
        var aSpan = new Span<float>(a, Chunk);
        for (int i0 = 0; i0 < n; i0 += Chunk)
        {
            int len = Math.Min(Chunk, n - i0);
            Activate(candidatePreActivation.Slice(i0, len), activation, aSpan[..len]);
            fixed (float* hp = previous, z = updateGate, xi = noise, h = next)
                UpdateCore(hp + i0, z + i0, a, hasNoise ? xi + i0 : null, alpha, noiseScale, h + i0, len, tier);
        }
    }

    private static void UpdateCore(float* hp, float* z, float* a, float* xi, float alpha, float s, float* h, int n, IsaTier tier)
    {
        var kernel = new UpdateKernel { Previous = hp, Gate = z, Activated = a, Noise = xi, Alpha = alpha, Scale = s, Next = h };
        Simd.Run(ref kernel, n, tier);
    }

    /// <summary>h = hp + alpha (z - 1)(hp - a) + s xi (xi may be null).</summary>
    private struct UpdateKernel : IElementwiseKernel
    {
        public float* Previous, Gate, Activated, Noise, Next;
        public float Alpha, Scale;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            // Locals, so that the loop keeps pointers and index in registers (stores through them could alias this struct).
            float* hp = Previous, z = Gate, a = Activated, xi = Noise, h = Next;
            V va = V.Create(Alpha), vs = V.Create(Scale), one = V.Create(1f);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V p = V.Load(hp + i);
                V r = V.FusedMultiplyAdd(va * (V.Load(z + i) - one), p - V.Load(a + i), p);
                if (xi != null) r = V.FusedMultiplyAdd(vs, V.Load(xi + i), r);
                r.Store(h + i);
            }
            index = i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++)
            {
                float p = Previous[i];
                float r = MathF.FusedMultiplyAdd(Alpha * (Gate[i] - 1f), p - Activated[i], p);
                if (Noise != null) r = MathF.FusedMultiplyAdd(Scale, Noise[i], r);
                Next[i] = r;
            }
        }
    }

    internal static void UpdateBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> updateGate,
        ReadOnlySpan<float> candidatePreActivation, float alpha, Activation activation, Span<float> updateGatePreGradient,
        Span<float> candidatePreGradient, Span<float> previousGradient, IsaTier tier)
    {
        int n = hiddenGradient.Length;
        Check(n, previous.Length, nameof(previous));
        Check(n, updateGate.Length, nameof(updateGate));
        Check(n, candidatePreActivation.Length, nameof(candidatePreActivation));
        Check(n, updateGatePreGradient.Length, nameof(updateGatePreGradient));
        Check(n, candidatePreGradient.Length, nameof(candidatePreGradient));
        Check(n, previousGradient.Length, nameof(previousGradient));
        if (tier == IsaTier.Scalar)
        {
            FusedGruScalar.UpdateBackward(hiddenGradient, previous, updateGate, candidatePreActivation, alpha, activation,
                updateGatePreGradient, candidatePreGradient, previousGradient);
            return;
        }
        int kind = ActivationKind(activation);
        float* a = stackalloc float[Chunk];
        var aSpan = new Span<float>(a, Chunk);
        for (int i0 = 0; i0 < n; i0 += Chunk)
        {
            int len = Math.Min(Chunk, n - i0);
            Activate(candidatePreActivation.Slice(i0, len), activation, aSpan[..len]);
            fixed (float* dh = hiddenGradient, hp = previous, z = updateGate, u = candidatePreActivation, dz = updateGatePreGradient,
                   du = candidatePreGradient, dp = previousGradient)
                UpdateBackwardCore(dh + i0, hp + i0, z + i0, u + i0, a, kind, alpha, dz + i0, du + i0, dp + i0, len, tier);
        }
    }

    /// <summary>0 ReLU, 1 tanh, 2 sigmoid, 3 identity: selects act'(u) inside the loops.</summary>
    internal static int ActivationKind(Activation activation) => activation switch
    {
        Activation.Relu => 0,
        Activation.Tanh => 1,
        Activation.Sigmoid => 2,
        _ => 3,
    };

    private static void UpdateBackwardCore(float* dh, float* hp, float* z, float* u, float* a, int kind, float alpha,
        float* dz, float* du, float* dp, int n, IsaTier tier)
    {
        var kernel = new UpdateBackwardKernel
        {
            HiddenGradient = dh, Previous = hp, Gate = z, PreActivation = u, Activated = a, Kind = kind, Alpha = alpha,
            GateGradient = dz, CandidateGradient = du, PreviousGradient = dp,
        };
        Simd.Run(ref kernel, n, tier);
    }

    /// <summary>dz = g·alpha·(hp - a)·z(1 - z); du = g·alpha·(1 - z)·act'(u); dp += g·(1 + alpha(z - 1)).</summary>
    private struct UpdateBackwardKernel : IElementwiseKernel
    {
        public float* HiddenGradient, Previous, Gate, PreActivation, Activated, GateGradient, CandidateGradient, PreviousGradient;
        public int Kind;
        public float Alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* dh = HiddenGradient, hp = Previous, z = Gate, u = PreActivation, a = Activated;
            float* dz = GateGradient, du = CandidateGradient, dp = PreviousGradient;
            int kind = Kind;
            V va = V.Create(Alpha), one = V.Create(1f);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V g = V.Load(dh + i), zz = V.Load(z + i), av = V.Load(a + i);
                V ga = g * va;
                V dact = kind == 0 ? V.WherePositive(V.Load(u + i), one) : kind == 1 ? one - av * av : kind == 2 ? av * (one - av) : one;
                (ga * (V.Load(hp + i) - av) * (zz * (one - zz))).Store(dz + i);
                (ga * (one - zz) * dact).Store(du + i);
                V.FusedMultiplyAdd(g, one + va * (zz - one), V.Load(dp + i)).Store(dp + i);
            }
            index = i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++)
            {
                float g = HiddenGradient[i], zz = Gate[i], av = Activated[i];
                float ga = g * Alpha;
                float dact = Kind == 0 ? (PreActivation[i] > 0f ? 1f : 0f) : Kind == 1 ? 1f - av * av : Kind == 2 ? av * (1f - av) : 1f;
                GateGradient[i] = ga * (Previous[i] - av) * (zz * (1f - zz));
                CandidateGradient[i] = ga * (1f - zz) * dact;
                PreviousGradient[i] = MathF.FusedMultiplyAdd(g, 1f + Alpha * (zz - 1f), PreviousGradient[i]);
            }
        }
    }

    internal static void ResetBackward(ReadOnlySpan<float> gatedGradient, ReadOnlySpan<float> previous, ReadOnlySpan<float> resetGate,
        Span<float> resetGatePreGradient, Span<float> previousGradient, IsaTier tier)
    {
        int n = gatedGradient.Length;
        Check(n, previous.Length, nameof(previous));
        Check(n, resetGate.Length, nameof(resetGate));
        Check(n, resetGatePreGradient.Length, nameof(resetGatePreGradient));
        Check(n, previousGradient.Length, nameof(previousGradient));
        if (tier == IsaTier.Scalar)
        {
            FusedGruScalar.ResetBackward(gatedGradient, previous, resetGate, resetGatePreGradient, previousGradient);
            return;
        }
        fixed (float* dq = gatedGradient, hp = previous, r = resetGate, dr = resetGatePreGradient, dp = previousGradient)
            ResetBackwardCore(dq, hp, r, dr, dp, n, tier);
    }

    private static void ResetBackwardCore(float* dq, float* hp, float* r, float* dr, float* dp, int n, IsaTier tier)
    {
        var kernel = new ResetBackwardKernel { GatedGradient = dq, Previous = hp, Gate = r, GateGradient = dr, PreviousGradient = dp };
        Simd.Run(ref kernel, n, tier);
    }

    /// <summary>dr = dq·hp·r(1 - r); dp += dq·r.</summary>
    private struct ResetBackwardKernel : IElementwiseKernel
    {
        public float* GatedGradient, Previous, Gate, GateGradient, PreviousGradient;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* dq = GatedGradient, hp = Previous, r = Gate, dr = GateGradient, dp = PreviousGradient;
            V one = V.Create(1f);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V q = V.Load(dq + i), rr = V.Load(r + i);
                (q * V.Load(hp + i) * (rr * (one - rr))).Store(dr + i);
                V.FusedMultiplyAdd(q, rr, V.Load(dp + i)).Store(dp + i);
            }
            index = i;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++)
            {
                float q = GatedGradient[i], rr = Gate[i];
                GateGradient[i] = q * Previous[i] * (rr * (1f - rr));
                PreviousGradient[i] = MathF.FusedMultiplyAdd(q, rr, PreviousGradient[i]);
            }
        }
    }
}

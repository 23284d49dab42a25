using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NoisyRnn.Models;

namespace NoisyRnn.Kernels;

/// <summary>
/// Fused element-wise kernels of the continuous-time GRU step (<see cref="GruRnn"/>) and of its back-propagation,
/// each one pass over memory with explicit Vector512 / Vector256 / Vector128 paths and a scalar tail (scalar twin:
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
        int i = 0;
        if (tier >= IsaTier.Vector512)
        {
            Vector512<float> va = Vector512.Create(alpha), vs = Vector512.Create(s), one = Vector512<float>.One;
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> p = Vector512.Load(hp + i);
                Vector512<float> r = Vector512.FusedMultiplyAdd(va * (Vector512.Load(z + i) - one), p - Vector512.Load(a + i), p);
                if (xi != null) r = Vector512.FusedMultiplyAdd(vs, Vector512.Load(xi + i), r);
                r.Store(h + i);
            }
        }
        if (tier >= IsaTier.Vector256)
        {
            Vector256<float> va = Vector256.Create(alpha), vs = Vector256.Create(s), one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> p = Vector256.Load(hp + i);
                Vector256<float> r = Vector256.FusedMultiplyAdd(va * (Vector256.Load(z + i) - one), p - Vector256.Load(a + i), p);
                if (xi != null) r = Vector256.FusedMultiplyAdd(vs, Vector256.Load(xi + i), r);
                r.Store(h + i);
            }
        }
        if (tier >= IsaTier.Vector128)
        {
            Vector128<float> va = Vector128.Create(alpha), vs = Vector128.Create(s), one = Vector128<float>.One;
            for (; i <= n - 4; i += 4)
            {
                Vector128<float> p = Vector128.Load(hp + i);
                Vector128<float> r = Vector128.FusedMultiplyAdd(va * (Vector128.Load(z + i) - one), p - Vector128.Load(a + i), p);
                if (xi != null) r = Vector128.FusedMultiplyAdd(vs, Vector128.Load(xi + i), r);
                r.Store(h + i);
            }
        }
        for (; i < n; i++)
        {
            float p = hp[i];
            float r = MathF.FusedMultiplyAdd(alpha * (z[i] - 1f), p - a[i], p);
            if (xi != null) r = MathF.FusedMultiplyAdd(s, xi[i], r);
            h[i] = r;
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
        int i = 0;
        if (tier >= IsaTier.Vector512)
        {
            Vector512<float> va = Vector512.Create(alpha), one = Vector512<float>.One, zero = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> g = Vector512.Load(dh + i), zz = Vector512.Load(z + i), av = Vector512.Load(a + i);
                Vector512<float> ga = g * va;
                Vector512<float> dact = kind == 0 ? Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(u + i), zero), one, zero) : kind == 1 ? one - av * av : kind == 2 ? av * (one - av) : one;
                (ga * (Vector512.Load(hp + i) - av) * (zz * (one - zz))).Store(dz + i);
                (ga * (one - zz) * dact).Store(du + i);
                Vector512.FusedMultiplyAdd(g, one + va * (zz - one), Vector512.Load(dp + i)).Store(dp + i);
            }
        }
        if (tier >= IsaTier.Vector256)
        {
            Vector256<float> va = Vector256.Create(alpha), one = Vector256<float>.One, zero = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> g = Vector256.Load(dh + i), zz = Vector256.Load(z + i), av = Vector256.Load(a + i);
                Vector256<float> ga = g * va;
                Vector256<float> dact = kind == 0 ? Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(u + i), zero), one, zero) : kind == 1 ? one - av * av : kind == 2 ? av * (one - av) : one;
                (ga * (Vector256.Load(hp + i) - av) * (zz * (one - zz))).Store(dz + i);
                (ga * (one - zz) * dact).Store(du + i);
                Vector256.FusedMultiplyAdd(g, one + va * (zz - one), Vector256.Load(dp + i)).Store(dp + i);
            }
        }
        if (tier >= IsaTier.Vector128)
        {
            Vector128<float> va = Vector128.Create(alpha), one = Vector128<float>.One, zero = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4)
            {
                Vector128<float> g = Vector128.Load(dh + i), zz = Vector128.Load(z + i), av = Vector128.Load(a + i);
                Vector128<float> ga = g * va;
                Vector128<float> dact = kind == 0 ? Vector128.ConditionalSelect(Vector128.GreaterThan(Vector128.Load(u + i), zero), one, zero) : kind == 1 ? one - av * av : kind == 2 ? av * (one - av) : one;
                (ga * (Vector128.Load(hp + i) - av) * (zz * (one - zz))).Store(dz + i);
                (ga * (one - zz) * dact).Store(du + i);
                Vector128.FusedMultiplyAdd(g, one + va * (zz - one), Vector128.Load(dp + i)).Store(dp + i);
            }
        }
        for (; i < n; i++)
        {
            float g = dh[i], zz = z[i], av = a[i];
            float ga = g * alpha;
            float dact = kind == 0 ? (u[i] > 0f ? 1f : 0f) : kind == 1 ? 1f - av * av : kind == 2 ? av * (1f - av) : 1f;
            dz[i] = ga * (hp[i] - av) * (zz * (1f - zz));
            du[i] = ga * (1f - zz) * dact;
            dp[i] = MathF.FusedMultiplyAdd(g, 1f + alpha * (zz - 1f), dp[i]);
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
        int i = 0;
        if (tier >= IsaTier.Vector512)
        {
            Vector512<float> one = Vector512<float>.One;
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> q = Vector512.Load(dq + i), rr = Vector512.Load(r + i);
                (q * Vector512.Load(hp + i) * (rr * (one - rr))).Store(dr + i);
                Vector512.FusedMultiplyAdd(q, rr, Vector512.Load(dp + i)).Store(dp + i);
            }
        }
        if (tier >= IsaTier.Vector256)
        {
            Vector256<float> one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> q = Vector256.Load(dq + i), rr = Vector256.Load(r + i);
                (q * Vector256.Load(hp + i) * (rr * (one - rr))).Store(dr + i);
                Vector256.FusedMultiplyAdd(q, rr, Vector256.Load(dp + i)).Store(dp + i);
            }
        }
        if (tier >= IsaTier.Vector128)
        {
            Vector128<float> one = Vector128<float>.One;
            for (; i <= n - 4; i += 4)
            {
                Vector128<float> q = Vector128.Load(dq + i), rr = Vector128.Load(r + i);
                (q * Vector128.Load(hp + i) * (rr * (one - rr))).Store(dr + i);
                Vector128.FusedMultiplyAdd(q, rr, Vector128.Load(dp + i)).Store(dp + i);
            }
        }
        for (; i < n; i++)
        {
            float q = dq[i], rr = r[i];
            dr[i] = q * hp[i] * (rr * (1f - rr));
            dp[i] = MathF.FusedMultiplyAdd(q, rr, dp[i]);
        }
    }
}

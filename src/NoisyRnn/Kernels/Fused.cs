using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace NoisyRnn.Kernels;

/// <summary>
/// Fused element-wise kernels of the continuous-time RNN step, each a single pass over memory, written once over
/// an internal vector interface and run at each tier of <see cref="Isa"/>, with a scalar tail (scalar twin:
/// <see cref="FusedScalar"/>).
/// Source: reference vanilla RNN step, <c>h &lt;- (1 - alpha) h + alpha act(u) + s xi</c> (THEORY.md, "Noisy dynamics").
/// </summary>
public static unsafe class Fused
{
    /// <summary>Elements processed per chunk when tanh or sigmoid is evaluated by TensorPrimitives first.</summary>
    private const int Chunk = 256;

    /// <summary>
    /// Leaky (Euler) update of the hidden state: next = (1 - alpha)·previous + alpha·act(preActivation) + noiseScale·noise,
    /// with results of magnitude below the smallest normal float (1.17549435e-38) flushed to 0: a silent ReLU unit's state
    /// decays geometrically through the subnormal range, where vector arithmetic on this hardware is slower and .NET cannot
    /// set flush-to-zero. The scalar twin flushes identically.
    /// </summary>
    /// <param name="previous">h_{t-1}, any length n.</param>
    /// <param name="preActivation">u_t, length n.</param>
    /// <param name="noise">Raw noise draws xi_t, length n; or empty for no noise.</param>
    /// <param name="alpha">dt / tau, in (0, 1] (not checked here: kernels trust their callers' validated options).</param>
    /// <param name="noiseScale">Per-step noise std s multiplying the raw draws.</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="next">h_t, length n; may be the very same span as <paramref name="previous"/> or
    /// <paramref name="preActivation"/> (in place), must not partially overlap them.</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="previous"/>'s.</exception>
    public static void LeakyUpdate(ReadOnlySpan<float> previous, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> noise,
        float alpha, float noiseScale, Activation activation, Span<float> next) =>
        LeakyUpdate(previous, preActivation, noise, alpha, noiseScale, activation, next, Isa.Tier);

    /// <summary>
    /// Backward of the activation inside the leaky update: preActivationGradient = hiddenGradient·alpha·act'(preActivation),
    /// with act' = 1[u &gt; 0] (ReLU), 1 - tanh²(u), sigmoid(u)(1 - sigmoid(u)) or 1 (identity).
    /// </summary>
    /// <param name="hiddenGradient">dL/dh_t, any length n.</param>
    /// <param name="preActivation">u_t saved by the forward pass, length n.</param>
    /// <param name="alpha">dt / tau, in (0, 1].</param>
    /// <param name="activation">The nonlinearity act.</param>
    /// <param name="preActivationGradient">dL/du_t, length n; may be the very same span as either input (in place).</param>
    /// <exception cref="ArgumentException">A length differs from <paramref name="hiddenGradient"/>'s.</exception>
    public static void ActivationBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> preActivation, float alpha,
        Activation activation, Span<float> preActivationGradient) =>
        ActivationBackward(hiddenGradient, preActivation, alpha, activation, preActivationGradient, Isa.Tier);

    internal static void CheckLeaky(int n, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> noise, Span<float> next)
    {
        Guard.Length(preActivation.Length, n, "preActivation", "[n] = previous.Length");
        if (noise.Length != 0) Guard.Length(noise.Length, n, "noise", "[n] = previous.Length (or empty)");
        Guard.Length(next.Length, n, "next", "[n] = previous.Length");
    }

    internal static void LeakyUpdate(ReadOnlySpan<float> previous, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> noise,
        float alpha, float noiseScale, Activation activation, Span<float> next, IsaTier tier)
    {
        int n = previous.Length;
        CheckLeaky(n, preActivation, noise, next);
        if (tier == IsaTier.Scalar)
        {
            FusedScalar.LeakyUpdate(previous, preActivation, noise, alpha, noiseScale, activation, next);
            return;
        }
        bool hasNoise = noise.Length != 0 && noiseScale != 0f;
        if (activation is Activation.Relu or Activation.Identity)
        {
            fixed (float* hp = previous, u = preActivation, xi = noise, h = next)
                Combine(hp, u, hasNoise ? xi : null, alpha, noiseScale, activation == Activation.Relu, h, n, tier);
            return;
        }
        // tanh / sigmoid: evaluate act(u) with TensorPrimitives into a stack chunk, then combine in one pass.
        float* a = stackalloc float[Chunk];
        var aSpan = new Span<float>(a, Chunk);
        for (int i0 = 0; i0 < n; i0 += Chunk)
        {
            int len = Math.Min(Chunk, n - i0);
            if (activation == Activation.Tanh) TensorPrimitives.Tanh(preActivation.Slice(i0, len), aSpan[..len]);
            else TensorPrimitives.Sigmoid(preActivation.Slice(i0, len), aSpan[..len]);
            fixed (float* hp = previous, xi = noise, h = next)
                Combine(hp + i0, a, hasNoise ? xi + i0 : null, alpha, noiseScale, false, h + i0, len, tier);
        }
    }

    /// <summary>h = (1 - alpha) hp + alpha a' + s xi with a' = max(a, 0) when <paramref name="relu"/>; xi may be null.</summary>
    private static void Combine(float* hp, float* a, float* xi, float alpha, float s, bool relu, float* h, int n, IsaTier tier)
    {
        var kernel = new CombineKernel { Previous = hp, Activated = a, Noise = xi, Alpha = alpha, Scale = s, Relu = relu, Next = h };
        Simd.Run(ref kernel, n, tier);
    }

    private struct CombineKernel : IElementwiseKernel
    {
        public float* Previous, Activated, Noise, Next;
        public float Alpha, Scale;
        public bool Relu;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            // Locals, so that the loop keeps pointers and index in registers (stores through them could alias this struct).
            float* hp = Previous, a = Activated, xi = Noise, h = Next;
            bool relu = Relu;
            V vk = V.Create(1f - Alpha), va = V.Create(Alpha), vs = V.Create(Scale), vm = V.Create(MinNormal);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V x = V.Load(a + i);
                if (relu) x = V.Max(x, V.Zero);
                V r = V.FusedMultiplyAdd(va, x, V.Load(hp + i) * vk);
                if (xi != null) r = V.FusedMultiplyAdd(vs, V.Load(xi + i), r);
                V.ZeroWhereSmaller(r, vm).Store(h + i);
            }
            index = i;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            float keep = 1f - Alpha;
            for (; i < n; i++)
            {
                float x = Relu ? MathF.Max(Activated[i], 0f) : Activated[i];
                float r = MathF.FusedMultiplyAdd(Alpha, x, Previous[i] * keep);
                if (Noise != null) r = MathF.FusedMultiplyAdd(Scale, Noise[i], r);
                Next[i] = FlushSubnormal(r);
            }
        }
    }

    /// <summary>Smallest positive normal float, 2^-126 (C's FLT_MIN).</summary>
    internal const float MinNormal = 1.17549435e-38f;

    /// <summary>0 for |x| &lt; <see cref="MinNormal"/> (subnormals, signed zeros), x otherwise (NaN and infinities included).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static float FlushSubnormal(float x) => MathF.Abs(x) < MinNormal ? 0f : x;

    internal static void ActivationBackward(ReadOnlySpan<float> hiddenGradient, ReadOnlySpan<float> preActivation, float alpha,
        Activation activation, Span<float> preActivationGradient, IsaTier tier)
    {
        int n = hiddenGradient.Length;
        Guard.Length(preActivation.Length, n, "preActivation", "[n] = hiddenGradient.Length");
        Guard.Length(preActivationGradient.Length, n, "preActivationGradient", "[n] = hiddenGradient.Length");
        if (tier == IsaTier.Scalar)
        {
            FusedScalar.ActivationBackward(hiddenGradient, preActivation, alpha, activation, preActivationGradient);
            return;
        }
        switch (activation)
        {
            case Activation.Identity:
                TensorPrimitives.Multiply(hiddenGradient, alpha, preActivationGradient);
                return;
            case Activation.Relu:
                fixed (float* dh = hiddenGradient, u = preActivation, du = preActivationGradient)
                    ReluBackward(dh, u, alpha, du, n, tier);
                return;
            default:
                float* a = stackalloc float[Chunk];
                var aSpan = new Span<float>(a, Chunk);
                bool tanh = activation == Activation.Tanh;
                for (int i0 = 0; i0 < n; i0 += Chunk)
                {
                    int len = Math.Min(Chunk, n - i0);
                    if (tanh) TensorPrimitives.Tanh(preActivation.Slice(i0, len), aSpan[..len]);
                    else TensorPrimitives.Sigmoid(preActivation.Slice(i0, len), aSpan[..len]);
                    fixed (float* dh = hiddenGradient, du = preActivationGradient)
                        SmoothBackward(dh + i0, a, alpha, tanh, du + i0, len, tier);
                }
                return;
        }
    }

    /// <summary>
    /// One row of BPTT's loop for a ReLU cell in one pass (the separate calls' operations, element by element, so the same
    /// bits): du = u &gt; 0 ? dh·alpha : 0; for each input j &lt; <paramref name="inputs"/>, sums[j·n + i] = du·x[j] + sums[j·n + i];
    /// with <paramref name="bias"/>, sums[inputs·n + i] += du; next = dh·keep + readout (dh·keep when
    /// <paramref name="readout"/> is null). Vector512 body, scalar tail.
    /// </summary>
    internal static void ReluBackwardRow(float* dh, float* u, float alpha, float* du, float keep, float* readout, float* next,
        float* x, int inputs, float* sums, bool bias, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> va = Vector512.Create(alpha), vk = Vector512.Create(keep);
            for (; i <= n - 16; i += 16)
            {
                Vector512<float> d = Vector512.Load(dh + i);
                Vector512<float> g = Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(u + i), Vector512<float>.Zero), d * va, Vector512<float>.Zero);
                g.Store(du + i);
                for (int j = 0; j < inputs; j++)
                {
                    float* sum = sums + (nint)j * n + i;
                    (g * Vector512.Create(x[j]) + Vector512.Load(sum)).Store(sum);
                }
                if (bias)
                {
                    float* sum = sums + (nint)inputs * n + i;
                    (Vector512.Load(sum) + g).Store(sum);
                }
                Vector512<float> leak = d * vk;
                (readout == null ? leak : leak + Vector512.Load(readout + i)).Store(next + i);
            }
        }
        for (; i < n; i++)
        {
            float d = dh[i];
            float g = u[i] > 0f ? d * alpha : 0f;
            du[i] = g;
            for (int j = 0; j < inputs; j++) sums[j * n + i] = g * x[j] + sums[j * n + i];
            if (bias) sums[inputs * n + i] = sums[inputs * n + i] + g;
            float leak = d * keep;
            next[i] = readout == null ? leak : leak + readout[i];
        }
    }

    /// <summary>du = u &gt; 0 ? dh·alpha : 0.</summary>
    private static void ReluBackward(float* dh, float* u, float alpha, float* du, int n, IsaTier tier)
    {
        var kernel = new ReluBackwardKernel { HiddenGradient = dh, PreActivation = u, Alpha = alpha, PreActivationGradient = du };
        Simd.Run(ref kernel, n, tier);
    }

    private struct ReluBackwardKernel : IElementwiseKernel
    {
        public float* HiddenGradient, PreActivation, PreActivationGradient;
        public float Alpha;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* dh = HiddenGradient, u = PreActivation, du = PreActivationGradient;
            V va = V.Create(Alpha);
            int i = index;
            for (; i <= n - V.Count; i += V.Count) V.WherePositive(V.Load(u + i), V.Load(dh + i) * va).Store(du + i);
            index = i;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++) PreActivationGradient[i] = PreActivation[i] > 0f ? HiddenGradient[i] * Alpha : 0f;
        }
    }

    /// <summary>du = (dh·alpha)·(1 - a²) for tanh, (dh·alpha)·(a(1 - a)) for sigmoid, where a = act(u).</summary>
    private static void SmoothBackward(float* dh, float* a, float alpha, bool tanh, float* du, int n, IsaTier tier)
    {
        var kernel = new SmoothBackwardKernel { HiddenGradient = dh, Activated = a, Alpha = alpha, Tanh = tanh, PreActivationGradient = du };
        Simd.Run(ref kernel, n, tier);
    }

    private struct SmoothBackwardKernel : IElementwiseKernel
    {
        public float* HiddenGradient, Activated, PreActivationGradient;
        public float Alpha;
        public bool Tanh;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<V>(ref int index, int n) where V : struct, ISimdVector<V>
        {
            float* dh = HiddenGradient, a = Activated, du = PreActivationGradient;
            bool tanh = Tanh;
            V va = V.Create(Alpha), one = V.Create(1f);
            int i = index;
            for (; i <= n - V.Count; i += V.Count)
            {
                V x = V.Load(a + i);
                V d = tanh ? one - x * x : x * (one - x);
                ((V.Load(dh + i) * va) * d).Store(du + i);
            }
            index = i;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++)
            {
                float x = Activated[i];
                float d = Tanh ? 1f - x * x : x * (1f - x);
                PreActivationGradient[i] = HiddenGradient[i] * Alpha * d;
            }
        }
    }
}

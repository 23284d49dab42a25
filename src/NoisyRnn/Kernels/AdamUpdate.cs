namespace NoisyRnn.Kernels;

/// <summary>
/// The element-wise Adam update of <c>Training.Adam.Step</c> (torch.optim.Adam's single-tensor path): per element,
/// g += wd·p; m = b1·m + (1 - b1)·g; v = b2·v + (1 - b2)·g²; p -= stepSize·m / (sqrt(v) / sqrt(bc2) + eps). The same
/// IEEE operations in the same order at every width (no fused multiply-add), so every tier gives the scalar loop's bits.
/// </summary>
internal static unsafe class AdamUpdate
{
    /// <summary>Updates <paramref name="parameters"/>, <paramref name="m"/> and <paramref name="v"/> in place (same lengths).</summary>
    public static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, float b1, float b2,
        float oneMinusB1, float oneMinusB2, float eps, float wd, float stepSize, float invBc2Sqrt, IsaTier tier)
    {
        fixed (float* p = parameters, g = gradients, pm = m, pv = v)
        {
            var kernel = new Kernel
            {
                P = p, G = g, M = pm, V = pv, B1 = b1, B2 = b2, OneMinusB1 = oneMinusB1, OneMinusB2 = oneMinusB2, Eps = eps, Wd = wd,
                StepSize = stepSize, InvBc2Sqrt = invBc2Sqrt,
            };
            Simd.Run(ref kernel, parameters.Length, tier);
        }
    }

    private struct Kernel : IElementwiseKernel
    {
        public float* P, G, M, V;
        public float B1, B2, OneMinusB1, OneMinusB2, Eps, Wd, StepSize, InvBc2Sqrt;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Vectors<TV>(ref int index, int n) where TV : struct, ISimdVector<TV>
        {
            // Locals, so that the loop keeps pointers and index in registers (stores through them could alias this struct).
            float* pp = P, pg = G, pm = M, pv = V;
            bool decay = Wd != 0;
            TV b1 = TV.Create(B1), b2 = TV.Create(B2), c1 = TV.Create(OneMinusB1), c2 = TV.Create(OneMinusB2), eps = TV.Create(Eps);
            TV wd = TV.Create(Wd), step = TV.Create(StepSize), bc2 = TV.Create(InvBc2Sqrt);
            int i = index;
            for (; i <= n - TV.Count; i += TV.Count)
            {
                TV g = TV.Load(pg + i), p = TV.Load(pp + i);
                if (decay) g += wd * p;
                TV mi = TV.Load(pm + i) * b1 + g * c1;
                TV vi = TV.Load(pv + i) * b2 + g * g * c2;
                mi.Store(pm + i);
                vi.Store(pv + i);
                TV denom = TV.Sqrt(vi) / bc2 + eps;
                (p - step * (mi / denom)).Store(pp + i);
            }
            index = i;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++)
            {
                float g = G[i];
                if (Wd != 0) g += Wd * P[i];
                float mi = M[i] * B1 + g * OneMinusB1;
                float vi = V[i] * B2 + g * g * OneMinusB2;
                M[i] = mi;
                V[i] = vi;
                float denom = MathF.Sqrt(vi) / InvBc2Sqrt + Eps;
                P[i] -= StepSize * (mi / denom);
            }
        }
    }
}

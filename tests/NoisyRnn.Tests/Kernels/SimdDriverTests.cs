using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

public class SimdDriverTests
{
    /// <summary>Records which width processed each element.</summary>
    private unsafe struct WidthProbe : IElementwiseKernel
    {
        public int* Widths;

        public readonly void Vectors<V>(ref int i, int n) where V : struct, ISimdVector<V>
        {
            for (; i <= n - V.Count; i += V.Count)
            {
                for (int j = 0; j < V.Count; j++) Widths[i + j] += V.Count;
            }
        }

        public readonly void Scalar(int i, int n)
        {
            for (; i < n; i++) Widths[i] += 1;
        }
    }

    public static TheoryData<IsaTier> AllTiers() => new() { IsaTier.Scalar, IsaTier.Vector128, IsaTier.Vector256, IsaTier.Vector512 };

    [Theory]
    [MemberData(nameof(AllTiers))]
    public unsafe void TheDriverWalksTheLadderOnceOverEveryElement(IsaTier tier)
    {
        for (int n = 0; n <= 3 * 16 + 15; n++)
        {
            var widths = new int[n];
            fixed (int* w = widths)
            {
                var probe = new WidthProbe { Widths = w };
                Simd.Run(ref probe, n, tier);
            }
            // Widest vectors first while they fit, then each narrower width at most once, then scalars.
            int i = 0;
            foreach (int width in new[] { 16, 8, 4 })
            {
                if (Isa.FloatsPerVector(tier) < width) continue;
                int count = width == Isa.FloatsPerVector(tier) ? (n - i) / width * width : Math.Min(width, (n - i) / width * width);
                for (int k = 0; k < count; k++, i++) Assert.Equal(width, widths[i]);
            }
            for (; i < n; i++) Assert.Equal(1, widths[i]);
        }
    }

    public static TheoryData<IsaTier> SupportedTiers()
    {
        var data = new TheoryData<IsaTier>();
        foreach (var tier in new[] { IsaTier.Vector128, IsaTier.Vector256, IsaTier.Vector512 })
        {
            if (Isa.IsSupported(tier)) data.Add(tier);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SupportedTiers))]
    public void AdamUpdateHasTheScalarBitsAtEveryTier(IsaTier tier)
    {
        var rng = new Random(7);
        for (int n = 0; n <= 3 * 16 + 5; n++)
        {
            float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
            for (int i = 0; i < n; i++)
            {
                p[i] = (float)(rng.NextDouble() - 0.5);
                g[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 2)));
                m[i] = (float)(rng.NextDouble() * 1e-3);
                v[i] = (float)(rng.NextDouble() * 1e-4);
            }
            float[] ps = (float[])p.Clone(), ms = (float[])m.Clone(), vs = (float[])v.Clone();
            AdamUpdate.Apply(p, g, m, v, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 1e-2f, 3e-3f, 0.5f, tier);
            AdamUpdate.Apply(ps, g, ms, vs, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 1e-2f, 3e-3f, 0.5f, IsaTier.Scalar);
            Assert.Equal(ps, p);
            Assert.Equal(ms, m);
            Assert.Equal(vs, v);
        }
    }
}

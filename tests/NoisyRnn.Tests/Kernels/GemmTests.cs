using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

public class GemmTests
{
    /// <summary>The SIMD tiles use the scalar twin's FMA order, so only the last rounding of C + sum may differ (an ulp of |C|).</summary>
    private const double RelativeTolerance = 1e-6;

    /// <summary>Canary padding around C on each side, in floats (more than one Vector512).</summary>
    private const int Pad = 19;

    private static readonly int[] Sizes = { 0, 1, 3, 7, 17, 33, 65 };

    public enum Op { AB, ABt, AtB }

    public static TheoryData<IsaTier> SimdTiers()
    {
        var data = new TheoryData<IsaTier>();
        foreach (var tier in new[] { IsaTier.Vector128, IsaTier.Vector256, IsaTier.Vector512 })
        {
            if (Isa.IsSupported(tier)) data.Add(tier);
        }
        return data;
    }

    private static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Runs one product through the tier under test, with C embedded between NaN canaries.</summary>
    private static float[] RunPadded(Op op, IsaTier tier, float[] a, float[] b, float[] cInitial, int m, int n, int k, bool accumulate, int threads)
    {
        var buffer = new float[cInitial.Length + 2 * Pad];
        Array.Fill(buffer, float.NaN);
        cInitial.CopyTo(buffer, Pad);
        Span<float> c = buffer.AsSpan(Pad, cInitial.Length);
        switch (op)
        {
            case Op.AB: Gemm.MultiplyStrided(a, k, false, b, n, c, n, m, n, k, accumulate, tier, threads); break;
            case Op.AtB: Gemm.MultiplyStrided(a, m, true, b, n, c, n, m, n, k, accumulate, tier, threads); break;
            default: Gemm.MultiplyTransposedBStrided(a, k, b, c, n, m, n, k, accumulate, tier, threads); break;
        }
        for (int i = 0; i < Pad; i++)
        {
            Assert.True(float.IsNaN(buffer[i]), $"canary before C overwritten at {i}");
            Assert.True(float.IsNaN(buffer[Pad + cInitial.Length + i]), $"canary after C overwritten at {i}");
        }
        return c.ToArray();
    }

    private static float[] RunScalar(Op op, float[] a, float[] b, float[] cInitial, bool accumulate, int m, int n, int k)
    {
        var c = (float[])cInitial.Clone();
        switch (op)
        {
            case Op.AB: GemmScalar.Multiply(a, b, c, m, n, k, accumulate); break;
            case Op.AtB: GemmScalar.MultiplyTransposedA(a, b, c, m, n, k, accumulate); break;
            default: GemmScalar.MultiplyTransposedB(a, b, c, m, n, k, accumulate); break;
        }
        return c;
    }

    /// <summary>Reference in float64 to bound the error of both.</summary>
    private static double AbsSum(Op op, float[] a, float[] b, float c0, int i, int j, int m, int n, int k)
    {
        double s = Math.Abs(c0);
        for (int p = 0; p < k; p++)
        {
            double av = op == Op.AtB ? a[p * m + i] : a[i * k + p];
            double bv = op == Op.ABt ? b[j * k + p] : b[p * n + j];
            s += Math.Abs(av * bv);
        }
        return s;
    }

    private static void CompareWithScalar(Op op, IsaTier tier, int m, int n, int k, bool accumulate, int seed)
    {
        float[] a = Random(m * k, seed), b = Random(k * n, seed + 1), c0 = Random(m * n, seed + 2);
        float[] expected = RunScalar(op, a, b, c0, accumulate, m, n, k);
        float[] actual = RunPadded(op, tier, a, b, c0, m, n, k, accumulate, threads: 2);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int idx = i * n + j;
                double scale = AbsSum(op, a, b, accumulate ? c0[idx] : 0f, i, j, m, n, k);
                Assert.True(Math.Abs(actual[idx] - expected[idx]) <= RelativeTolerance * scale + 1e-30,
                    $"{op} {tier} m={m} n={n} k={k} acc={accumulate}: C[{i},{j}] = {actual[idx]}, scalar {expected[idx]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void EveryProductMatchesScalarTwinOnOddShapes(IsaTier tier)
    {
        int seed = 0;
        foreach (Op op in Enum.GetValues<Op>())
        {
            foreach (int m in Sizes)
            foreach (int n in Sizes)
            foreach (int k in Sizes)
            foreach (bool accumulate in new[] { false, true })
                CompareWithScalar(op, tier, m, n, k, accumulate, seed++);
        }
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void DepthLongerThanOneBlockMatchesScalarTwin(IsaTier tier)
    {
        foreach (Op op in Enum.GetValues<Op>())
        {
            CompareWithScalar(op, tier, 9, 35, Gemm.DepthBlock + 1, false, 11);
            CompareWithScalar(op, tier, 17, 16, 2 * Gemm.DepthBlock + 3, true, 12);
        }
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void SimdEqualsScalarTwinBitForBit(IsaTier tier)
    {
        // The documented contract of Gemm today: same FMA order as GemmScalar, so equal bits (a kernel that reorders
        // the sum must relax this test and the Gemm remarks together).
        foreach (Op op in Enum.GetValues<Op>())
        {
            const int m = 19, n = 45, k = Gemm.DepthBlock + 7;
            float[] a = Random(m * k, 31), b = Random(k * n, 32), c0 = Random(m * n, 33);
            float[] expected = RunScalar(op, a, b, c0, true, m, n, k);
            float[] actual = RunPadded(op, tier, a, b, c0, m, n, k, true, threads: 2);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{op} element {i}");
        }
    }

    [Fact]
    public void ScalarTierAgreesWithFloat64Reference()
    {
        const int m = 5, n = 6, k = 7;
        float[] a = Random(m * k, 1), b = Random(n * k, 2);
        var c = new float[m * n];
        GemmScalar.MultiplyTransposedB(a, b, c, m, n, k);
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[j * k + p];
            Assert.Equal(s, c[i * n + j], 1e-5);
        }
    }

    [Theory]
    [InlineData(Op.AB)]
    [InlineData(Op.ABt)]
    [InlineData(Op.AtB)]
    public void OneAndTwoThreadsAreBitIdentical(Op op)
    {
        foreach (var (m, n, k) in new[] { (200, 512, 512), (203, 130, 333), (100, 512, 512) })
        {
            Assert.True((long)m * n * k >= Gemm.ParallelThreshold);
            float[] a = Random(m * k, 5), b = Random(k * n, 6), c0 = Random(m * n, 7);
            float[] one = RunPadded(op, Isa.Tier, a, b, c0, m, n, k, true, threads: 1);
            float[] two = RunPadded(op, Isa.Tier, a, b, c0, m, n, k, true, threads: 2);
            for (int i = 0; i < one.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(two[i]), $"{op} element {i}: {one[i]} vs {two[i]}");
        }
    }

    [Fact]
    public void PublicEntryPointsMatchScalarTwins()
    {
        const int m = 13, n = 37, k = 21;
        float[] a = Random(m * k, 1), b = Random(k * n, 2);
        foreach (Op op in Enum.GetValues<Op>())
        {
            var c = new float[m * n];
            switch (op)
            {
                case Op.AB: Gemm.Multiply(a, b, c, m, n, k); break;
                case Op.AtB: Gemm.MultiplyTransposedA(a, b, c, m, n, k); break;
                default: Gemm.MultiplyTransposedB(a, b, c, m, n, k); break;
            }
            float[] expected = RunScalar(op, a, b, new float[m * n], false, m, n, k);
            for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-5f);
        }
    }

    [Fact]
    public void WrongLengthsAndNegativeSizesNameTheParameter()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, b, new float[5], 2, 2, 3)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposedB(new float[5], b, c, 2, 2, 3)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => GemmScalar.MultiplyTransposedA(a, new float[7], c, 2, 2, 3)).ParamName);
        Assert.Equal("m", Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(a, b, c, -1, 2, 3)).ParamName);
    }

    [Fact]
    public void TierIsTheHighestAccelerated()
    {
        Assert.True(Isa.IsSupported(Isa.Tier));
        if (Isa.Tier != IsaTier.Vector512) Assert.False(Isa.IsSupported(IsaTier.Vector512));
    }
}

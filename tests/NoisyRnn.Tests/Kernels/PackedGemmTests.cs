using NoisyRnn.Kernels;

namespace NoisyRnn.Tests.Kernels;

public class PackedGemmTests
{
    private static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    public static TheoryData<IsaTier> AllTiers()
    {
        var data = new TheoryData<IsaTier>();
        foreach (var tier in new[] { IsaTier.Scalar, IsaTier.Vector128, IsaTier.Vector256, IsaTier.Vector512 })
        {
            if (Isa.IsSupported(tier)) data.Add(tier);
        }
        return data;
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}: element {i}: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void PackedProductsEqualUnpackedBitForBit(IsaTier tier)
    {
        // Shapes with tails in every dimension, one deeper than a depth block, one large enough to use both threads.
        foreach (var (m, n, k) in new[] { (1, 1, 1), (9, 35, Gemm.DepthBlock + 3), (203, 130, 333), (17, 64, 7) })
        {
            float[] a = Random(m * k, m + n), aT = Random(k * m, m + 2 * n), b = Random(k * n, k), bT = Random(n * k, k + 1), c0 = Random(m * n, 3);
            foreach (bool transposedB in new[] { false, true })
            foreach (bool transposeA in new[] { false, true })
            foreach (int threads in new[] { 1, 2 })
            {
                float[] aUsed = transposeA ? aT : a;
                int lda = transposeA ? m : k;
                var expected = (float[])c0.Clone();
                if (transposedB)
                {
                    // bT is [n, k]: reference is A·bTᵀ through the unpacked path on an explicitly transposed copy.
                    var bCopy = new float[k * n];
                    Gemm.Transpose(bT, n, k, bCopy);
                    Gemm.MultiplyStrided(aUsed, lda, transposeA, bCopy, n, expected, n, m, n, k, true, tier, 1);
                }
                else
                {
                    Gemm.MultiplyStrided(aUsed, lda, transposeA, b, n, expected, n, m, n, k, true, tier, 1);
                }
                var packed = new PackedMatrix();
                if (transposedB) packed.PackTransposed(bT, k, n, tier);
                else packed.Pack(b, k, n, tier);
                var actual = (float[])c0.Clone();
                Gemm.MultiplyPacked(aUsed, lda, transposeA, packed, actual, n, m, true, tier, threads);
                AssertBitEqual(expected, actual, $"{tier} m={m} n={n} k={k} transposedB={transposedB} transposeA={transposeA} threads={threads}");
            }
        }
    }

    [Fact]
    public void PackedMatrixIsReusedForSmallerShapes()
    {
        var packed = new PackedMatrix();
        float[] big = Random(64 * 64, 1), small = Random(5 * 7, 2), a = Random(3 * 5, 3);
        packed.Pack(big, 64, 64, Isa.Tier);
        packed.Pack(small, 5, 7, Isa.Tier);
        Assert.Equal(5, packed.Depth);
        Assert.Equal(7, packed.Columns);
        var expected = new float[3 * 7];
        var actual = new float[3 * 7];
        GemmScalar.Multiply(a, small, expected, 3, 7, 5);
        Gemm.MultiplyPacked(a, 5, false, packed, actual, 7, 3, false, Isa.Tier, 1);
        AssertBitEqual(expected, actual, "repacked");
    }

    [Fact]
    public void PackedTierMustMatch()
    {
        var packed = new PackedMatrix();
        packed.Pack(new float[4], 2, 2, IsaTier.Scalar);
        if (Isa.Tier != IsaTier.Scalar)
            Assert.Throws<ArgumentException>(() => Gemm.MultiplyPacked(new float[4], 2, false, packed, new float[4], 2, 2, false, Isa.Tier, 1));
    }

    [Fact]
    public void ProductsWithSeveralSlabsOfBAreBitIdenticalForOneAndTwoThreads()
    {
        // k·n beyond one slab: the threads pack slab after slab in lock step; results must not depend on the split.
        const int n = 96;
        int slabDepth = Gemm.SlabFloats / n / Gemm.DepthBlock * Gemm.DepthBlock;
        int k = 2 * slabDepth + 77, m = 40;
        Assert.True((long)m * n * k >= Gemm.ParallelThreshold);
        float[] a = Random(k * m, 1), b = Random(k * n, 2), c0 = Random(m * n, 3);
        var one = (float[])c0.Clone();
        var two = (float[])c0.Clone();
        Gemm.MultiplyStrided(a, m, true, b, n, one, n, m, n, k, true, Isa.Tier, 1);
        Gemm.MultiplyStrided(a, m, true, b, n, two, n, m, n, k, true, Isa.Tier, 2);
        AssertBitEqual(one, two, "several slabs");
        var scalar = (float[])c0.Clone();
        GemmScalar.MultiplyTransposedA(a, b, scalar, m, n, k, accumulate: true);
        if (Isa.Tier != IsaTier.Scalar) AssertBitEqual(scalar, one, "scalar twin");
    }

    [Theory]
    [MemberData(nameof(AllTiers))]
    public void DeepProductsInDepthPiecesMatchTheScalarTwinForAnyThreadCount(IsaTier tier)
    {
        // Three depth pieces, the last one short; rows and columns with tails.
        const int m = 37, n = 70, k = 2 * Gemm.ChunkDepth + 333;
        Assert.Equal(3, Gemm.Chunks(m, n, k));
        float[] aT = Random(k * m, 21), a = Random(m * k, 22), b = Random(k * n, 23), c0 = Random(m * n, 24);
        foreach (bool transposeA in new[] { true, false })
        foreach (bool accumulate in new[] { true, false })
        {
            float[] aUsed = transposeA ? aT : a;
            int lda = transposeA ? m : k;
            var expected = (float[])c0.Clone();
            GemmScalar.Core(aUsed, lda, transposeA, b, n, 1, expected, n, m, n, k, accumulate);
            var packed = new PackedMatrix();
            packed.Pack(b, k, n, tier);
            foreach (int threads in new[] { 1, 2 })
            {
                var actual = (float[])c0.Clone();
                Gemm.MultiplyStrided(aUsed, lda, transposeA, b, n, actual, n, m, n, k, accumulate, tier, threads);
                AssertBitEqual(expected, actual, $"{tier} transposeA={transposeA} accumulate={accumulate} threads={threads}");
                var fromPacked = (float[])c0.Clone();
                Gemm.MultiplyPacked(aUsed, lda, transposeA, packed, fromPacked, n, m, accumulate, tier, threads);
                AssertBitEqual(expected, fromPacked, $"packed {tier} transposeA={transposeA} accumulate={accumulate} threads={threads}");
            }
        }
    }

    public static TheoryData<IsaTier> SimdTiers()
    {
        var data = new TheoryData<IsaTier>();
        foreach (var tier in new[] { IsaTier.Vector128, IsaTier.Vector256, IsaTier.Vector512 })
        {
            if (Isa.IsSupported(tier)) data.Add(tier);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SimdTiers))]
    public void DeepProductsAroundTheThresholdWithLeadingDimensionsMatchTheScalarTwin(IsaTier tier)
    {
        // k just below, at and above 2·ChunkDepth; single rows and columns; n off the panel width; every operand strided
        // (leading dimensions wider than the matrix); the last shape is large enough for the pieces to use both threads.
        var shapes = new[] { (1, 1, 2 * Gemm.ChunkDepth - 1), (1, 1, 2 * Gemm.ChunkDepth), (3, 17, 2 * Gemm.ChunkDepth + 1), (8, 1, 4 * Gemm.ChunkDepth), (41, 50, 2 * Gemm.ChunkDepth + 1) };
        Assert.True(41L * 50 * (2 * Gemm.ChunkDepth + 1) >= Gemm.ParallelThreshold);
        foreach (var (m, n, k) in shapes)
        foreach (bool transposeA in new[] { false, true })
        foreach (bool accumulate in new[] { false, true })
        {
            int lda = (transposeA ? m : k) + 5, ldb = n + 3, ldc = n + 7;
            float[] a = Random((transposeA ? k : m) * lda, m + k), b = Random(k * ldb, n), c0 = Random(m * ldc, 3);
            var expected = (float[])c0.Clone();
            GemmScalar.Core(a, lda, transposeA, b, ldb, 1, expected, ldc, m, n, k, accumulate);
            var dense = new float[k * n];
            for (int p = 0; p < k; p++) b.AsSpan(p * ldb, n).CopyTo(dense.AsSpan(p * n));
            var packed = new PackedMatrix();
            packed.Pack(dense, k, n, tier);
            foreach (int threads in new[] { 1, 2 })
            {
                string what = $"{tier} m={m} n={n} k={k} transposeA={transposeA} accumulate={accumulate} threads={threads}";
                var actual = (float[])c0.Clone();
                Gemm.MultiplyStrided(a, lda, transposeA, b, ldb, actual, ldc, m, n, k, accumulate, tier, threads);
                AssertBitEqual(expected, actual, what);
                var fromPacked = (float[])c0.Clone();
                Gemm.MultiplyPacked(a, lda, transposeA, packed, fromPacked, ldc, m, accumulate, tier, threads);
                AssertBitEqual(expected, fromPacked, "packed " + what);
                if (!transposeA)
                {
                    // B given as [n, k] (C = A·Bᵀ): the pieces start k0 floats into each row of B.
                    var bT = new float[n * k];
                    Gemm.Transpose(dense, k, n, bT);
                    var fromTransposed = (float[])c0.Clone();
                    Gemm.MultiplyTransposedBStrided(a, lda, bT, fromTransposed, ldc, m, n, k, accumulate, tier, threads);
                    AssertBitEqual(expected, fromTransposed, "transposed B " + what);
                }
            }
        }
    }

    [Fact]
    public void DeepProductsWhosePiecesNeedSeveralSlabsOfBMatchTheScalarTwin()
    {
        // A wide B: each 2048-deep piece is itself packed in several slabs (one thread per piece, no barrier).
        const int m = 1, n = 1050, k = 2 * Gemm.ChunkDepth + 1;
        Assert.True(Gemm.Chunks(m, n, k) > 1);
        if (Isa.Tier == IsaTier.Scalar) return; // no slabs to test
        Assert.True(Gemm.SlabFloats / Gemm.PaddedColumns(n, Isa.Tier) < Gemm.ChunkDepth);
        float[] a = Random(k * m, 41), b = Random(k * n, 42), c0 = Random(m * n, 43);
        var expected = (float[])c0.Clone();
        GemmScalar.MultiplyTransposedA(a, b, expected, m, n, k, accumulate: true);
        foreach (int threads in new[] { 1, 2 })
        {
            var actual = (float[])c0.Clone();
            Gemm.MultiplyStrided(a, m, true, b, n, actual, n, m, n, k, true, Isa.Tier, threads);
            AssertBitEqual(expected, actual, $"threads={threads}");
        }
    }

    [Fact]
    public void DeepScalarTwinWithLeadingDimensionsAgreesWithFloat64()
    {
        // The oracle itself: pieces, strides and the accumulate flag against a plain double sum.
        const int m = 3, n = 5, k = 2 * Gemm.ChunkDepth + 1, lda = m + 2, ldb = n + 1, ldc = n + 4;
        Assert.Equal(3, Gemm.Chunks(m, n, k));
        float[] a = Random(k * lda, 31), b = Random(k * ldb, 32), c0 = Random(m * ldc, 33);
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (float[])c0.Clone();
            GemmScalar.Core(a, lda, true, b, ldb, 1, c, ldc, m, n, k, accumulate);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = accumulate ? c0[i * ldc + j] : 0, magnitude = Math.Abs(sum);
                    for (int p = 0; p < k; p++)
                    {
                        double term = (double)a[p * lda + i] * b[p * ldb + j];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }
                    Assert.True(Math.Abs(sum - c[i * ldc + j]) <= 1e-5 * magnitude, $"accumulate={accumulate} ({i}, {j}): {sum} vs {c[i * ldc + j]}");
                }
                // Columns between n and ldc are not written.
                for (int j = n; j < ldc; j++) Assert.Equal(c0[i * ldc + j], c[i * ldc + j]);
            }
        }
    }

    [Theory]
    [InlineData(512, 512, 20000, 10)]      // dW_out and dW_rec of the spatial task
    [InlineData(512, 128, 20000, 10)]      // dW_out of the head-direction task
    [InlineData(512, 512, 4095, 1)]        // not deep enough
    [InlineData(512, 512, 4096, 2)]
    [InlineData(2048, 2048, 20000, 1)]     // the partials would exceed the cap: rows split instead
    public void DepthPiecesDependOnTheShapeOnly(int m, int n, int k, int expected) => Assert.Equal(expected, Gemm.Chunks(m, n, k));
}

/// <summary>
/// The Vector512 tile reads A in place (row-major or transposed) instead of packing it first: the same multiply-adds in
/// the same order, so every product must give the same bits either way, for full and partial tiles, depths past one depth
/// block, accumulation, strided operands and deep (pieced) products.
/// </summary>
public class InPlaceATests
{
    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        { 8, 32, 16, false, false },
        { 13, 45, 300, false, true },
        { 200, 128, 128, false, false },
        { 37, 70, 513, true, true },
        { 512, 128, 256, true, false },
        { 128, 128, 4500, true, true },   // deep: cut into 2048-deep pieces
        { 9, 33, 5000, false, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InPlaceAndPackedAGiveTheSameBits(int m, int n, int k, bool transposeA, bool accumulate)
    {
        if (!Isa.IsSupported(IsaTier.Vector512)) return; // the in-place tile exists for Vector512 only
        var rng = new Random(m * 31 + n * 7 + k);
        int lda = (transposeA ? m : k) + 3; // strided rows
        float[] a = Enumerable.Range(0, (transposeA ? k : m) * lda).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] start = Enumerable.Range(0, m * n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] Run(bool inPlace)
        {
            bool saved = Gemm.DirectA;
            Gemm.DirectA = inPlace;
            try
            {
                float[] c = (float[])start.Clone();
                Gemm.MultiplyStrided(a, lda, transposeA, b, n, c, n, m, n, k, accumulate, IsaTier.Vector512, 2);
                return c;
            }
            finally
            {
                Gemm.DirectA = saved;
            }
        }
        float[] packed = Run(false), inPlace = Run(true);
        for (int i = 0; i < packed.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(packed[i]) == BitConverter.SingleToInt32Bits(inPlace[i]), $"c[{i}]: {packed[i]} vs {inPlace[i]}");
    }
}

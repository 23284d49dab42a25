using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class PlaceCellsTests
{
    /// <summary>SIMD path vs scalar twin: both float32, but TensorPrimitives.Exp and the vector sum round differently from MathF.Exp and a sequential sum.</summary>
    private const float SimdVsScalarRelTol = 2e-6f;

    /// <summary>Rows sum to 1 up to float32 rounding of up to 512 terms and one reciprocal.</summary>
    private const float SumTol = 1e-5f;

    private static float[] RandomPositions(int n, ulong seed, double halfWidth = 1.1)
    {
        var d = new double[2 * n];
        new SeededTaskRandom(seed).Uniform(-halfWidth, halfWidth, d);
        return Array.ConvertAll(d, x => (float)x);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(47)]
    [InlineData(512)]
    [InlineData(515)]
    public void VectorisedEncodeMatchesScalarTwinForEveryTail(int cells)
    {
        var pc = PlaceCells.CreateRandom(cells, 0.2, 2.2, 2.2, seed: 3);
        float[] positions = RandomPositions(37, 4);
        // NaN canaries on both sides of the destination must survive.
        var buffer = new float[37 * cells + 2];
        buffer[0] = float.NaN;
        buffer[^1] = float.NaN;
        pc.Encode(positions, buffer.AsSpan(1, 37 * cells));
        var oracle = new float[37 * cells];
        pc.EncodeScalar(positions, oracle);
        Assert.True(float.IsNaN(buffer[0]) && float.IsNaN(buffer[^1]));
        for (int i = 0; i < oracle.Length; i++)
            Assert.True(Math.Abs(buffer[i + 1] - oracle[i]) <= SimdVsScalarRelTol * oracle[i] + 1e-30f, $"cell {i % cells} row {i / cells}: {buffer[i + 1]} vs {oracle[i]}");
    }

    [Fact]
    public void ParallelEncodeIsDeterministicAndMatchesTheScalarTwin()
    {
        var pc = PlaceCells.CreateRandom(512, 0.2, 2.2, 2.2, seed: 1);
        float[] positions = RandomPositions(1000, 2); // 512,000 products: takes the parallel path
        var a = new float[1000 * 512];
        var b = new float[1000 * 512];
        var oracle = new float[1000 * 512];
        pc.Encode(positions, a);
        pc.Encode(positions, b);
        pc.EncodeScalar(positions, oracle);
        Assert.Equal(a, b);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - oracle[i]) <= SimdVsScalarRelTol * oracle[i] + 1e-30f);
        for (int r = 0; r < 1000; r++) Assert.Equal(1f, Sum(a.AsSpan(r * 512, 512)), SumTol);
    }

    [Theory]
    [InlineData(50f, -40f)]
    [InlineData(1e6f, 1e6f)]
    [InlineData(3e19f, -3e19f)] // squared distances overflow float32: the float64 fallback
    [InlineData(float.MaxValue, float.MinValue)]
    public void FarPositionsGiveFiniteActivationsSummingToOne(float x, float y)
    {
        var pc = PlaceCells.CreateRandom(64, 0.2, 2.2, 2.2, seed: 5);
        var act = new float[64];
        var oracle = new float[64];
        pc.Encode([x, y], act);
        pc.EncodeScalar([x, y], oracle);
        Assert.All(act, a => Assert.True(float.IsFinite(a) && a >= 0));
        Assert.Equal(1f, Sum(act), SumTol);
        Assert.Equal(1f, Sum(oracle), SumTol);
        // The winner is the cell nearest the position.
        Assert.Equal(NearestCell(pc, x, y), IndexOfMax(act));
    }

    [Fact]
    public void ActivationPeaksAtTheNearestCentreAndDecodesNearTheTruth()
    {
        var pc = PlaceCells.CreateRandom(512, 0.2, 2.2, 2.2, seed: 8);
        float[] positions = RandomPositions(200, 9, 1.0);
        var act = new float[200 * 512];
        pc.Encode(positions, act);
        var decoded = new float[400];
        pc.Decode(act, decoded);
        for (int r = 0; r < 200; r++)
        {
            Assert.Equal(NearestCell(pc, positions[2 * r], positions[2 * r + 1]), IndexOfMax(act.AsSpan(r * 512, 512)));
            // 512 cells in 4.84 m^2: nearest centres are ~5 cm apart, so the top-3 mean lies within ~0.15 m.
            Assert.InRange(MathF.Sqrt(MathF.Pow(decoded[2 * r] - positions[2 * r], 2) + MathF.Pow(decoded[2 * r + 1] - positions[2 * r + 1], 2)), 0f, 0.15f);
        }
    }

    [Fact]
    public void DecodeBreaksTiesByLowerCellIndex()
    {
        float[] centers = [0, 0, 1, 0, 2, 0, 3, 0, 4, 0];
        var pc = new PlaceCells(centers, 0.2);
        var pos = new float[2];

        pc.Decode([0.2f, 0.2f, 0.2f, 0.2f, 0.2f], pos); // all tied: cells 0, 1, 2
        Assert.Equal([1f, 0f], pos);

        pc.Decode([0.1f, 0.5f, 0.1f, 0.5f, 0.5f], pos, k: 2); // three tied at the top: cells 1 and 3
        Assert.Equal([2f, 0f], pos);

        pc.Decode([0.1f, 0.2f, 0.3f, 0.9f, 0.3f], pos, k: 1);
        Assert.Equal([3f, 0f], pos);

        pc.Decode([0.1f, 0.2f, 0.3f, 0.9f, 0.3f], pos, k: 5); // every cell: the mean of all centres
        Assert.Equal([2f, 0f], pos);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)] // sorting path
    [InlineData(40)]
    public void DecodeMatchesABruteForceRanking(int k)
    {
        var pc = PlaceCells.CreateRandom(40, 0.2, 2.2, 2.2, seed: 12);
        var act = new float[10 * 40];
        var rnd = new double[act.Length];
        new SeededTaskRandom(13).Uniform(0, 1, rnd);
        for (int i = 0; i < act.Length; i++) act[i] = MathF.Round((float)rnd[i] * 8) / 8; // many ties
        var decoded = new float[20];
        pc.Decode(act, decoded, k);
        for (int r = 0; r < 10; r++)
        {
            int[] ranked = Enumerable.Range(0, 40).OrderByDescending(i => act[r * 40 + i]).ThenBy(i => i).Take(k).ToArray();
            float sx = 0, sy = 0;
            foreach (int i in ranked) { sx += pc.Centers[2 * i]; sy += pc.Centers[2 * i + 1]; }
            Assert.Equal(sx / k, decoded[2 * r]);
            Assert.Equal(sy / k, decoded[2 * r + 1]);
        }
    }

    [Fact]
    public void CreateRandomIsReproducibleAndInsideTheBox()
    {
        var a = PlaceCells.CreateRandom(100, 0.2, 2.2, 1.0, seed: 4);
        var b = PlaceCells.CreateRandom(100, 0.2, 2.2, 1.0, seed: 4);
        var c = PlaceCells.CreateRandom(100, 0.2, 2.2, 1.0, seed: 5);
        Assert.Equal(a.Centers.ToArray(), b.Centers.ToArray());
        Assert.NotEqual(a.Centers.ToArray(), c.Centers.ToArray());
        Assert.Equal(100, a.Count);
        Assert.Equal(0.2, a.Sigma);
        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(a.Centers[2 * i], -1.1f, 1.1f);
            Assert.InRange(a.Centers[2 * i + 1], -0.5f, 0.5f);
        }
    }

    [Fact]
    public void BadInputsThrowNamingTheParameter()
    {
        Assert.Equal("centers", Assert.Throws<ArgumentException>(() => new PlaceCells(ReadOnlySpan<float>.Empty, 0.2)).ParamName);
        Assert.Equal("centers", Assert.Throws<ArgumentException>(() => new PlaceCells([0f, 1f, 2f], 0.2)).ParamName);
        Assert.Equal("centers", Assert.Throws<ArgumentException>(() => new PlaceCells([0f, float.NaN], 0.2)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => new PlaceCells([0f, 0f], 0)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => new PlaceCells([0f, 0f], double.NaN)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => PlaceCells.CreateRandom(0, 0.2, 2.2, 2.2, 1UL)).ParamName);
        Assert.Equal("boxWidth", Assert.Throws<ArgumentOutOfRangeException>(() => PlaceCells.CreateRandom(4, 0.2, -1, 2.2, 1UL)).ParamName);
        Assert.Equal("boxHeight", Assert.Throws<ArgumentOutOfRangeException>(() => PlaceCells.CreateRandom(4, 0.2, 2.2, 0, 1UL)).ParamName);

        var pc = PlaceCells.CreateRandom(4, 0.2, 2.2, 2.2, 1UL);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => pc.Encode([0f, 0f, 0f], new float[4])).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => pc.Encode([0f, float.PositiveInfinity], new float[4])).ParamName);
        Assert.Equal("activations", Assert.Throws<ArgumentException>(() => pc.Encode([0f, 0f], new float[5])).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => pc.Decode(new float[4], new float[2], 0)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => pc.Decode(new float[4], new float[2], 5)).ParamName);
        Assert.Equal("activations", Assert.Throws<ArgumentException>(() => pc.Decode(new float[6], new float[2])).ParamName);
        Assert.Equal("activations", Assert.Throws<ArgumentException>(() => pc.Decode([0f, float.NaN, 0f, 0f], new float[2])).ParamName);
        Assert.Equal("positions", Assert.Throws<ArgumentException>(() => pc.Decode(new float[8], new float[2])).ParamName);

        pc.Encode(ReadOnlySpan<float>.Empty, Span<float>.Empty); // zero positions is valid
    }

    private static float Sum(ReadOnlySpan<float> v)
    {
        double s = 0;
        foreach (float x in v) s += x;
        return (float)s;
    }

    private static int IndexOfMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static int NearestCell(PlaceCells pc, double x, double y)
    {
        int best = 0;
        double bestD = double.PositiveInfinity;
        for (int i = 0; i < pc.Count; i++)
        {
            double d = Math.Pow(x - pc.Centers[2 * i], 2) + Math.Pow(y - pc.Centers[2 * i + 1], 2);
            if (d < bestD) { bestD = d; best = i; }
        }
        return best;
    }
}

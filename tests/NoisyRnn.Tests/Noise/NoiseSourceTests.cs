using NoisyRnn.Noise;
using NoisyRnn.Reference;

namespace NoisyRnn.Tests.Noise;

public class NoiseSourceTests
{
    private const int Samples = 400_000;
    // Standard error of a sample mean of unit-variance draws is 1/sqrt(n) ~ 0.0016; 5 SE keeps false failures < 1e-6.
    private static readonly double MeanBound = 5.0 / Math.Sqrt(Samples);
    // Var of the sample variance of N(0,1) is 2/n; 5 SE.
    private static readonly double VarianceBound = 5.0 * Math.Sqrt(2.0 / Samples);

    [Fact]
    public void GaussianDrawsHaveZeroMeanUnitVarianceAndGaussianTails()
    {
        var draws = new float[Samples];
        new GaussianNoiseSource(42).Fill(draws);
        double mean = draws.Average(x => (double)x);
        double variance = draws.Sum(x => (x - mean) * (x - mean)) / (Samples - 1);
        Assert.InRange(mean, -MeanBound, MeanBound);
        Assert.InRange(variance, 1 - VarianceBound, 1 + VarianceBound);
        // P(|x| > 2) = 0.0455 for a Gaussian; binomial SE sqrt(p(1-p)/n) ~ 3.3e-4.
        double tail = draws.Count(x => Math.Abs(x) > 2) / (double)Samples;
        Assert.InRange(tail, 0.0455 - 0.002, 0.0455 + 0.002);
        Assert.All(draws, x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void GaussianStreamIsReproducibleAndIndependentOfChunking()
    {
        var whole = new float[5003];
        new GaussianNoiseSource(7).Fill(whole);
        var pieces = new float[5003];
        var source = new GaussianNoiseSource(7);
        // Chunks that are multiples of the internal pair block give the same stream as one call.
        source.Fill(pieces.AsSpan(0, 2048));
        source.Fill(pieces.AsSpan(2048, 2048));
        source.Fill(pieces.AsSpan(4096));
        Assert.Equal(whole, pieces);
        var other = new float[5003];
        new GaussianNoiseSource(8).Fill(other);
        Assert.NotEqual(whole, other);
    }

    // The polynomial sin/cos (error < 2e-9) and float32 rounding of r (relative ~1e-7 on r <= 5.8) against float64 math.
    private const double BoxMullerTolerance = 2e-6;

    [Fact]
    public void GaussianBlockMatchesBoxMullerOfTheLaneGeneratorInDoublePrecision()
    {
        // Rebuild the first block (1024 values = 512 pairs) from the eight-lane generator: pairs come two vector steps
        // at a time (lanes of the first step, then of the second); the first half holds r cos, the second r sin.
        const int N = 1024;
        var draws = new float[N];
        new GaussianNoiseSource(123).Fill(draws);
        var rng = new Xoshiro256x8(123);
        var words = new ulong[N / 2];
        for (int i = 0; i < words.Length; i += Xoshiro256x8.Lanes)
        {
            var v = rng.Next();
            for (int lane = 0; lane < Xoshiro256x8.Lanes; lane++) words[i + lane] = v[lane];
        }
        for (int i = 0; i < N / 2; i++)
        {
            ulong bits = words[i];
            double u1 = ((bits >> 40) + 1) / 16777216.0;
            double theta = 2 * Math.PI * ((bits >> 8) & 0xFFFFFF) / 16777216.0;
            double r = Math.Sqrt(-2 * Math.Log(u1));
            Assert.True(Math.Abs(draws[i] - r * Math.Cos(theta)) <= BoxMullerTolerance, $"cos half [{i}]: {draws[i]} vs {r * Math.Cos(theta)}");
            Assert.True(Math.Abs(draws[N / 2 + i] - r * Math.Sin(theta)) <= BoxMullerTolerance, $"sin half [{i}]: {draws[N / 2 + i]} vs {r * Math.Sin(theta)}");
        }
    }

    [Fact]
    public void LaneZeroOfTheVectorGeneratorIsTheScalarGeneratorAndLanesDiffer()
    {
        var scalar = new Xoshiro256(99);
        var lanes = new Xoshiro256x8(99);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < 100; i++)
        {
            var v = lanes.Next();
            Assert.Equal(scalar.NextUInt64(), v[0]);
            for (int lane = 0; lane < Xoshiro256x8.Lanes; lane++) Assert.True(seen.Add(v[lane]), "a 64-bit word repeated across lanes");
        }
    }

    [Fact]
    public void GaussianTailsAndQuartersFollowTheNormalDistribution()
    {
        // Checks the quarter-turn reduction: the sign pattern of (cos, sin) pairs must be uniform over the four quadrants,
        // and P(x < -1), P(-1 <= x < 0) must match the normal CDF (0.1587, 0.3413); binomial SE ~ 7e-4 at 400,000 draws.
        var draws = new float[Samples];
        new GaussianNoiseSource(5).Fill(draws);
        double below = draws.Count(x => x < -1) / (double)Samples;
        double between = draws.Count(x => x >= -1 && x < 0) / (double)Samples;
        Assert.InRange(below, 0.1587 - 0.004, 0.1587 + 0.004);
        Assert.InRange(between, 0.3413 - 0.004, 0.3413 + 0.004);
        var quadrants = new int[4];
        int pairs = 0;
        for (int block = 0; block + 1024 <= Samples; block += 1024, pairs += 512)
        {
            for (int i = 0; i < 512; i++) quadrants[(draws[block + i] < 0 ? 1 : 0) + (draws[block + 512 + i] < 0 ? 2 : 0)]++;
        }
        foreach (int q in quadrants) Assert.InRange(q / (double)pairs, 0.25 - 0.006, 0.25 + 0.006);
    }

    [Fact]
    public void UniformDrawsLieInUnitIntervalWithMeanOneHalf()
    {
        var draws = new float[Samples];
        new UniformNoiseSource(3).Fill(draws);
        Assert.All(draws, x => Assert.InRange(x, 0f, 0.99999994f));
        double mean = draws.Average(x => (double)x);
        // Var of U[0,1) is 1/12.
        double bound = 5.0 * Math.Sqrt(1.0 / 12 / Samples);
        Assert.InRange(mean, 0.5 - bound, 0.5 + bound);
    }

    [Fact]
    public void ReplayReturnsRecordedDrawsInOrderAndRefusesToOverrun()
    {
        var replay = new ReplayNoiseSource(new float[] { 1, 2, 3, 4, 5 }, NoiseDistribution.Uniform01);
        var a = new float[2];
        var b = new float[3];
        replay.Fill(a);
        replay.Fill(b);
        Assert.Equal(new float[] { 1, 2 }, a);
        Assert.Equal(new float[] { 3, 4, 5 }, b);
        Assert.Equal(0, replay.Remaining);
        var ex = Assert.Throws<InvalidOperationException>(() => replay.Fill(new float[1]));
        Assert.Contains("0 draws left", ex.Message);
    }

    [Fact]
    public void NoiseStreamsFromSeedAreDistinctAndMatchTheDistribution()
    {
        var streams = NoiseStreams.FromSeed(5, NoiseDistribution.Uniform01);
        Assert.Equal(NoiseDistribution.Uniform01, streams.Input.Distribution);
        Assert.Equal(NoiseDistribution.Uniform01, streams.Recurrent.Distribution);
        Assert.Equal(NoiseDistribution.StandardNormal, streams.Output.Distribution);
        var x = new float[16];
        var y = new float[16];
        streams.Input.Fill(x);
        streams.Recurrent.Fill(y);
        Assert.NotEqual(x, y);
    }

    [Theory]
    [InlineData(-0.1f, 0f, 0f, "inputStd")]
    [InlineData(0f, float.NaN, 0f, "recurrentStd")]
    [InlineData(0f, 0f, float.PositiveInfinity, "outputStd")]
    public void NoiseLevelsRejectNegativeOrNonFiniteValues(float i, float r, float o, string param)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new NoiseLevels(i, r, o));
        Assert.Equal(param, ex.ParamName);
    }

    [Fact]
    public void QuiescentNoiseResolvesEachMode()
    {
        Assert.Equal(MathF.Sqrt(2) * 0.01f, QuiescentNoise.Scaled.Resolve(0.01f), 6);
        Assert.Equal(0.01f, QuiescentNoise.Same.Resolve(0.01f));
        Assert.Equal(0.3f, QuiescentNoise.Absolute(0.3f).Resolve(0.01f));
        Assert.Equal(0f, QuiescentNoise.Scaled.Resolve(0f));
        Assert.Equal("std", Assert.Throws<ArgumentOutOfRangeException>(() => QuiescentNoise.Absolute(-1f)).ParamName);
        Assert.Equal("trainingStd", Assert.Throws<ArgumentOutOfRangeException>(() => QuiescentNoise.Scaled.Resolve(-1f)).ParamName);
    }
}

using NoisyRnn.Noise;

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

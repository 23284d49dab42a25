using NoisyRnn.Reference;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

public class TaskRandomTests
{
    private const int SampleSize = 200_000;

    /// <summary>Sample-moment bounds are this many standard errors: a false failure has probability ~6e-7 per check.</summary>
    private const double StandardErrors = 5.0;

    [Fact]
    public void SameSeedGivesSameDrawsAndDifferentSeedsDiffer()
    {
        double[] a = Draw(7), b = Draw(7), c = Draw(8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        static double[] Draw(ulong seed)
        {
            var r = new SeededTaskRandom(seed);
            var v = new double[30];
            r.Uniform(-1, 1, v.AsSpan(0, 10));
            r.Normal(0, 2, v.AsSpan(10, 11)); // odd count: exercises the unpaired Box-Muller draw
            r.Rayleigh(0.5, v.AsSpan(21, 9));
            return v;
        }
    }

    [Fact]
    public void RayleighMeanAndSecondMomentMatchTheory()
    {
        const double scale = 0.26 * Math.PI;
        var v = new double[SampleSize];
        new SeededTaskRandom(1).Rayleigh(scale, v);

        double mean = v.Average();
        double expectedMean = scale * Math.Sqrt(Math.PI / 2);
        double std = scale * Math.Sqrt((4 - Math.PI) / 2);
        Assert.InRange(mean, expectedMean - StandardErrors * std / Math.Sqrt(SampleSize), expectedMean + StandardErrors * std / Math.Sqrt(SampleSize));
        Assert.All(v, x => Assert.True(x >= 0 && double.IsFinite(x)));

        // E[x^2] = 2 s^2; x^2 / (2 s^2) is Exp(1), so its standard deviation is 2 s^2 as well.
        double meanSquare = v.Average(x => x * x);
        double bound = StandardErrors * 2 * scale * scale / Math.Sqrt(SampleSize);
        Assert.InRange(meanSquare, 2 * scale * scale - bound, 2 * scale * scale + bound);
    }

    [Fact]
    public void NormalMeanAndStdMatch()
    {
        const double mean = 0.3, std = 11.52;
        var v = new double[SampleSize];
        new SeededTaskRandom(2).Normal(mean, std, v);

        double m = v.Average();
        double s = Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (SampleSize - 1));
        Assert.InRange(m, mean - StandardErrors * std / Math.Sqrt(SampleSize), mean + StandardErrors * std / Math.Sqrt(SampleSize));
        // The sample standard deviation of a normal has standard error std / sqrt(2 n).
        double sBound = StandardErrors * std / Math.Sqrt(2.0 * SampleSize);
        Assert.InRange(s, std - sBound, std + sBound);
    }

    [Fact]
    public void UniformStaysInRangeWithTheRightMean()
    {
        var v = new double[SampleSize];
        new SeededTaskRandom(3).Uniform(-1.1, 1.1, v);
        Assert.All(v, x => Assert.InRange(x, -1.1, 1.1));
        double std = 2.2 / Math.Sqrt(12);
        Assert.InRange(v.Average(), -StandardErrors * std / Math.Sqrt(SampleSize), StandardErrors * std / Math.Sqrt(SampleSize));
    }

    [Fact]
    public void SeededRandomRejectsBadParameters()
    {
        var r = new SeededTaskRandom(0);
        var v = new double[3];
        Assert.Equal("high", Assert.Throws<ArgumentOutOfRangeException>(() => r.Uniform(1, 0, v)).ParamName);
        Assert.Equal("low", Assert.Throws<ArgumentOutOfRangeException>(() => r.Uniform(double.NaN, 0, v)).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentOutOfRangeException>(() => r.Normal(0, -1, v)).ParamName);
        Assert.Equal("mean", Assert.Throws<ArgumentOutOfRangeException>(() => r.Normal(double.PositiveInfinity, 1, v)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => r.Rayleigh(double.NaN, v)).ParamName);
    }

    [Fact]
    public void ReplayReturnsRecordsInOrder()
    {
        var replay = new ReplayTaskRandom([RecordedTaskDraw.Uniform(0, 1, [0.25, 0.5]), RecordedTaskDraw.Rayleigh(2, [3.0])]);
        var a = new double[2];
        var b = new double[1];
        replay.Uniform(0, 1, a);
        replay.Rayleigh(2, b);
        Assert.Equal([0.25, 0.5], a);
        Assert.Equal([3.0], b);
        Assert.Equal(0, replay.Remaining);
    }

    [Fact]
    public void ReplayExplainsMismatchesAndDoesNotAdvance()
    {
        var replay = new ReplayTaskRandom([RecordedTaskDraw.Normal(0, 11.52, [1.0, 2.0])]);
        var two = new double[2];

        var wrongDistribution = Assert.Throws<InvalidOperationException>(() => replay.Uniform(0, 11.52, two));
        Assert.Contains("distribution", wrongDistribution.Message);
        Assert.Contains("Normal(0, 11.52) x 2", wrongDistribution.Message);

        var wrongParameter = Assert.Throws<InvalidOperationException>(() => replay.Normal(0, 11.5, two));
        Assert.Contains("parameter 1", wrongParameter.Message);

        var wrongCount = Assert.Throws<InvalidOperationException>(() => replay.Normal(0, 11.52, new double[3]));
        Assert.Contains("count", wrongCount.Message);

        Assert.Equal(0, replay.Position);
        replay.Normal(0, 11.52 * (1 + 1e-15), two); // last-digit differences are accepted
        Assert.Equal([1.0, 2.0], two);

        var exhausted = Assert.Throws<InvalidOperationException>(() => replay.Normal(0, 11.52, two));
        Assert.Contains("exhausted", exhausted.Message);
    }

    [Fact]
    public void RecordedDrawChecksItsParameterCount()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentException>(() => new RecordedTaskDraw(TaskDistribution.Rayleigh, [1, 2], [0.0])).ParamName);
        Assert.Throws<ArgumentNullException>(() => new ReplayTaskRandom([null!]));
    }
}

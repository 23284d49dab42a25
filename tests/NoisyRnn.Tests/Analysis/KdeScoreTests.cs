using NoisyRnn.Analysis;

namespace NoisyRnn.Tests.Analysis;

public class KdeScoreTests
{
    // Central differences of LogEvaluate with step h: truncation h²|∂³ log p|/6 and rounding ~1e-16/h; with h = 1e-5 and
    // kernel widths ~0.1 both are below 1e-6 relative to the score.
    private const double Step = 1e-5;
    private const double FiniteDifferenceTolerance = 1e-5;

    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 1001)]
    [InlineData(3, 2000)]  // several leaves of the partition, so skipped and rescaled leaves are exercised
    public void ScoreIsTheGradientOfLogEvaluate(int d, int n)
    {
        double[] z = AnalysisTestData.Normal(n * d, 10 + d);
        var data = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < d; k++)
                data[i * d + k] = (k + 1) * z[i * d + k] + (k > 0 ? 0.5 * z[i * d] : 0) + (i % 3 == 0 ? 2 : 0);
        var kde = new GaussianKde(data, d);
        double[] queries = AnalysisTestData.Normal(25 * d, 99, 0, 2);
        double[] score = kde.Score(queries);
        for (int q = 0; q < 25; q++)
        {
            for (int k = 0; k < d; k++)
            {
                double[] p = queries.AsSpan(q * d, d).ToArray();
                p[k] += Step;
                double plus = kde.LogEvaluate(p)[0];
                p[k] -= 2 * Step;
                double minus = kde.LogEvaluate(p)[0];
                double numeric = (plus - minus) / (2 * Step);
                Assert.True(Math.Abs(numeric - score[q * d + k]) <= FiniteDifferenceTolerance * Math.Max(1, Math.Abs(numeric)),
                    $"d={d}, query {q}, coordinate {k}: {score[q * d + k]} vs {numeric}");
            }
        }
    }

    [Fact]
    public void FarFromTheDataTheScorePointsBackToTheNearestKernel()
    {
        double[] data = AnalysisTestData.Normal(2 * 500, 4);
        var kde = new GaussianKde(data, 2);
        double[] score = kde.Score([300.0, -200.0]);
        Assert.All(score, v => Assert.True(double.IsFinite(v)));
        // Points back toward the data (whose mean is ~0): the score has the opposite sign of the offset.
        Assert.True(score[0] < 0 && score[1] > 0);
        Assert.Empty(kde.Score([]));
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => kde.Score([1.0])).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => kde.Score([1.0, double.NaN])).ParamName);
    }
}

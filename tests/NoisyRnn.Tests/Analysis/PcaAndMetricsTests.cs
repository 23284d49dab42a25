using NoisyRnn.Analysis;

namespace NoisyRnn.Tests.Analysis;

public class PcaAndMetricsTests
{
    // Quantities that are equal in exact arithmetic and differ only by a few double roundings.
    private const double DoubleRounding = 1e-12;

    // Sample variances and axes are random: allow this many standard errors (relative SE of a variance is sqrt(2/N)).
    private const double StandardErrors = 5;

    // Eigen-reconstruction vs a naive double covariance: both exact up to double rounding of a few hundred terms.
    private const double Reconstruction = 1e-9;

    // Projecting the float32-rounded mean (|mean| <= 10, rounding ~6e-7 absolute) leaves only that rounding.
    private const double MeanProjection = 1e-5;

    // Hand-computed metrics in double from small integers: exact up to a few ulps.
    private const double Exact = 1e-12;

    // Variances along 4 orthonormal axes, and an offset mean.
    private static readonly double[] TrueVariances = [9, 4, 1, 0.25];
    private static readonly double[] TrueMean = [3, -2, 0.5, 10];

    // A fixed orthogonal matrix: two Givens rotations mixing (0,1) and (2,3), then one mixing (1,2).
    private static double[,] Axes()
    {
        double c1 = Math.Cos(0.6), s1 = Math.Sin(0.6), c2 = Math.Cos(1.1), s2 = Math.Sin(1.1), c3 = Math.Cos(0.3), s3 = Math.Sin(0.3);
        var g = new double[,] { { c1, -s1, 0, 0 }, { s1, c1, 0, 0 }, { 0, 0, c2, -s2 }, { 0, 0, s2, c2 } };
        var h = new double[,] { { 1, 0, 0, 0 }, { 0, c3, -s3, 0 }, { 0, s3, c3, 0 }, { 0, 0, 0, 1 } };
        var q = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 4; k++) q[i, j] += h[i, k] * g[k, j];
        return q; // column j is the axis with variance TrueVariances[j]
    }

    private static float[] KnownData(int n)
    {
        double[] z = AnalysisTestData.Normal(4 * n, 21);
        double[,] q = Axes();
        var data = new float[4 * n];
        for (int i = 0; i < n; i++)
            for (int r = 0; r < 4; r++)
            {
                double v = TrueMean[r];
                for (int j = 0; j < 4; j++) v += q[r, j] * Math.Sqrt(TrueVariances[j]) * z[4 * i + j];
                data[4 * i + r] = (float)v;
            }
        return data;
    }

    [Fact]
    public void PcaRecoversKnownAxesAndVariances()
    {
        const int N = 20_000;
        PcaResult pca = Pca.Fit(KnownData(N), N, 4);
        double[,] q = Axes();
        for (int c = 0; c < 4; c++)
        {
                        Assert.True(Math.Abs(pca.ExplainedVariance[c] / TrueVariances[c] - 1) <= StandardErrors * Math.Sqrt(2.0 / N), $"variance {c}: {pca.ExplainedVariance[c]} vs {TrueVariances[c]}");
            double dot = 0, norm = 0, maxAbs = 0, atMax = 0;
            for (int k = 0; k < 4; k++)
            {
                double v = pca.Components[c * 4 + k];
                dot += v * q[k, c];
                norm += v * v;
                if (Math.Abs(v) > maxAbs) (maxAbs, atMax) = (Math.Abs(v), v);
            }
            Assert.Equal(1.0, norm, DoubleRounding);
            Assert.True(Math.Abs(dot) > 0.99, $"component {c} is off its axis: |cos| = {Math.Abs(dot)}");
            Assert.True(atMax > 0, "sign convention: the largest-magnitude entry is positive");
            Assert.Equal(TrueMean[c], pca.Mean[c], 0.1);
        }
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), DoubleRounding);
        Assert.Equal(TrueVariances[0] / TrueVariances.Sum(), pca.ExplainedVarianceRatio[0], 0.01);

        float[] meanPoint = Array.ConvertAll(pca.Mean, x => (float)x);
        double[] projected = pca.Project(meanPoint, 4);
        foreach (double v in projected) Assert.True(Math.Abs(v) < MeanProjection, $"projection of the mean is {v}");
    }

    [Fact]
    public void BlockedCovarianceMatchesNaiveForAwkwardSizes()
    {
        // d = 7 is not a multiple of the 4x4 tile; n = 300 is not a multiple of the 128-row block.
        const int N = 300, D = 7;
        double[] z = AnalysisTestData.Normal(N * D, 22);
        var data = new float[N * D];
        for (int i = 0; i < N; i++)
            for (int k = 0; k < D; k++) data[i * D + k] = (float)(z[i * D + k] * (k + 1) + (k > 0 ? 0.5 * z[i * D + k - 1] : 0) + k);
        PcaResult pca = Pca.Fit(data, N, D);
        var mean = new double[D];
        for (int i = 0; i < N; i++)
            for (int k = 0; k < D; k++) mean[k] += data[i * D + k] / (double)N;
        for (int a = 0; a < D; a++)
        {
            for (int b = 0; b < D; b++)
            {
                double naive = 0;
                for (int i = 0; i < N; i++) naive += (data[i * D + a] - mean[a]) * (data[i * D + b] - mean[b]);
                naive /= N - 1;
                double rebuilt = 0;
                for (int c = 0; c < D; c++) rebuilt += pca.ExplainedVariance[c] * pca.Components[c * D + a] * pca.Components[c * D + b];
                Assert.True(Math.Abs(rebuilt - naive) <= Reconstruction * (1 + Math.Abs(naive)), $"cov[{a},{b}]: eigen-rebuilt {rebuilt} vs naive {naive}");
            }
        }
        for (int c = 1; c < D; c++) Assert.True(pca.ExplainedVariance[c] <= pca.ExplainedVariance[c - 1]);
        double[] scores = pca.Project(data.AsSpan(0, 2 * D), 3);
        Assert.Equal(6, scores.Length);
    }

    [Fact]
    public void OutputVarianceAndStepDistanceOnHandComputedTrajectories()
    {
        // One trajectory along x: 0, 1, 2, 3 (variance 5/3 with ddof 1, steps of 1);
        // one along a 3-4-5 line: (0,0), (3,4), (0,0), (3,4) (variance (9+16)·(4·0.25)/3 = 25/3, steps of 5).
        float[] traj = [0, 0, 1, 0, 2, 0, 3, 0, 0, 0, 3, 4, 0, 0, 3, 4];
        Assert.Equal((5.0 / 3 + 25.0 / 3) / 2, ReactivationMetrics.OutputVariance(traj, 2, 4, 2, 0), Exact);
        // Shift 2 keeps the last two steps: (2,0),(3,0) -> 0.5; (0,0),(3,4) -> 12.5.
        Assert.Equal((0.5 + 12.5) / 2, ReactivationMetrics.OutputVariance(traj, 2, 4, 2, 2), Exact);
        Assert.Equal([1.0, 5.0], ReactivationMetrics.StepDistances(traj, 2, 4, 2));
        Assert.Equal(3.0, ReactivationMetrics.MeanStepDistance(traj, 2, 4, 2));
    }

    [Fact]
    public void BadInputsThrowWithTheParameterName()
    {
        float[] traj = new float[2 * 4 * 2];
        Assert.Equal("trajectories", Assert.Throws<ArgumentException>(() => ReactivationMetrics.OutputVariance(traj, 2, 5, 2, 0)).ParamName);
        Assert.Equal("shift", Assert.Throws<ArgumentOutOfRangeException>(() => ReactivationMetrics.OutputVariance(traj, 2, 4, 2, 3)).ParamName);
        Assert.Equal("time", Assert.Throws<ArgumentOutOfRangeException>(() => ReactivationMetrics.StepDistances(new float[2], 2, 1, 1)).ParamName);
        traj[5] = float.NaN;
        Assert.Equal("trajectories", Assert.Throws<ArgumentException>(() => ReactivationMetrics.StepDistances(traj, 2, 4, 2)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(new float[4], 1, 4)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => Pca.Fit(new float[7], 2, 4)).ParamName);
        Assert.Throws<DegenerateDataException>(() => Pca.Fit(new float[8], 2, 4));
        PcaResult pca = Pca.Fit(KnownData(100), 100, 4);
        Assert.Equal("components", Assert.Throws<ArgumentOutOfRangeException>(() => pca.Project(new float[4], 5)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => pca.Project(new float[5], 2)).ParamName);
    }
}

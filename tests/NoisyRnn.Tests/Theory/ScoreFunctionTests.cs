using NoisyRnn.Theory;

namespace NoisyRnn.Tests.Theory;

public class ScoreFunctionTests
{
    // Central differences with step h have truncation error h² |f'''| / 6 and rounding error ~1e-16 |f| / h; with
    // h = 1e-5 and log densities of order 10 both stay below 1e-8.
    private const double FiniteDifferenceStep = 1e-5;
    private const double FiniteDifferenceTolerance = 1e-6;

    // The midpoint rule on 20,000 cells integrates these smooth densities to ~1e-9; allow for the tails cut off the range.
    private const double NormalisationTolerance = 1e-6;

    private static void CheckScoreAgainstFiniteDifferences(IScoredDensity density, double[] points)
    {
        int d = density.Dimensions, m = points.Length / d;
        var score = new double[points.Length];
        density.Score(points, score);
        var plus = new double[1];
        var minus = new double[1];
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < d; k++)
            {
                double[] p = points.AsSpan(i * d, d).ToArray();
                p[k] += FiniteDifferenceStep;
                density.LogDensity(p, plus);
                p[k] -= 2 * FiniteDifferenceStep;
                density.LogDensity(p, minus);
                double numeric = (plus[0] - minus[0]) / (2 * FiniteDifferenceStep);
                Assert.True(Math.Abs(numeric - score[i * d + k]) <= FiniteDifferenceTolerance * Math.Max(1, Math.Abs(numeric)),
                    $"point {i}, coordinate {k}: score {score[i * d + k]} vs finite difference {numeric}");
            }
        }
    }

    private static double Integral(IScoredDensity density, double low, double high, int cells = 20_000)
    {
        double h = (high - low) / cells;
        var x = new double[cells];
        for (int i = 0; i < cells; i++) x[i] = low + (i + 0.5) * h;
        var log = new double[cells];
        density.LogDensity(x, log);
        return log.Sum(Math.Exp) * h;
    }

    [Fact]
    public void GaussianScoreMatchesFiniteDifferencesAndIsMinusPrecisionTimesOffset()
    {
        var g = new MultivariateGaussian([0.5, -1.0], [2.0, 0.6, 0.6, 0.5]);
        double[] points = [0.5, -1.0, 2.0, 1.0, -3.0, 0.2];
        CheckScoreAgainstFiniteDifferences(g, points);
        var score = new double[6];
        g.Score(points, score);
        Assert.Equal(0.0, score[0], 12);
        Assert.Equal(0.0, score[1], 12);
        // Σ⁻¹ = [[0.5, -0.6], [-0.6, 2]] / (1 - 0.36); point (2, 1): offset (1.5, 2).
        double det = 2.0 * 0.5 - 0.36;
        Assert.Equal(-(0.5 * 1.5 - 0.6 * 2) / det, score[2], 12);
        Assert.Equal(-(-0.6 * 1.5 + 2.0 * 2) / det, score[3], 12);
    }

    [Fact]
    public void OneDimensionalDensitiesIntegrateToOne()
    {
        Assert.Equal(1.0, Integral(MultivariateGaussian.OneDimensional(0.3, 0.7), -8, 8), NormalisationTolerance);
        var mixture = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
        Assert.Equal(1.0, Integral(mixture, -6, 6), NormalisationTolerance);
        foreach (double kappa in new[] { 0.0, 0.5, 2.0, 50.0, 2000.0 })
            Assert.Equal(1.0, Integral(new VonMisesDensity(0.5, kappa), -Math.PI, Math.PI), NormalisationTolerance);
    }

    [Fact]
    public void MixtureScoreMatchesFiniteDifferencesAndStaysFiniteFarAway()
    {
        var mixture = GaussianMixture.OneDimensional([0.3, 0.7], [-0.8, 0.8], [0.4, 0.5]);
        CheckScoreAgainstFiniteDifferences(mixture, [-2.0, -0.8, -0.1, 0.0, 0.4, 0.8, 2.5]);
        // Far from both modes the wider component has the fatter tail and takes all the responsibility, so the score
        // tends to −(x − 0.8) / 0.5² (the narrow component's weight there is e^-176000, exactly 0 in double).
        var far = new double[1];
        mixture.Score([-400.0], far);
        Assert.Equal(-(-400.0 - 0.8) / 0.25, far[0], 6);

        var twoD = new GaussianMixture([1.0, 3.0], [
            new MultivariateGaussian([0, 0], [1, 0.3, 0.3, 0.5]),
            new MultivariateGaussian([2, -1], [0.4, 0, 0, 0.9])]);
        CheckScoreAgainstFiniteDifferences(twoD, [0.0, 0.0, 1.0, -0.5, 3.0, 2.0, -1.0, -2.0]);
    }

    [Fact]
    public void VonMisesScoreMatchesFiniteDifferencesAndTuningJacobianToo()
    {
        var vm = new VonMisesDensity(0.5, 3.0);
        CheckScoreAgainstFiniteDifferences(vm, [-3.0, -1.0, 0.5, 1.2, 3.1]);

        double[] preferred = [-2.5, -0.3, 0.0, 1.1, 3.0];
        var jacobian = new double[5];
        var plus = new double[5];
        var minus = new double[5];
        foreach (double angle in new[] { -3.1, 0.2, 2.0 })
        {
            VonMisesTuning.Jacobian(angle, preferred, 4.0, jacobian);
            VonMisesTuning.Evaluate(angle + FiniteDifferenceStep, preferred, 4.0, plus);
            VonMisesTuning.Evaluate(angle - FiniteDifferenceStep, preferred, 4.0, minus);
            for (int i = 0; i < 5; i++)
                Assert.Equal((plus[i] - minus[i]) / (2 * FiniteDifferenceStep), jacobian[i], 8);
        }
    }

    [Fact]
    public void BadArgumentsNameTheParameter()
    {
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => new MultivariateGaussian([0, 0], [1, 2, 2, 1])).ParamName);
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => new MultivariateGaussian([0, 0], [1, 0.5, 0.4, 1])).ParamName);
        Assert.Equal("covariance", Assert.Throws<ArgumentException>(() => new MultivariateGaussian([0, 0], [1, 0, 0])).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentOutOfRangeException>(() => MultivariateGaussian.OneDimensional(0, 0)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianMixture.OneDimensional([1, -1], [0, 1], [1, 1])).ParamName);
        Assert.Equal("kappa", Assert.Throws<ArgumentOutOfRangeException>(() => new VonMisesDensity(0, -1)).ParamName);
        var g = MultivariateGaussian.OneDimensional(0, 1);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => g.Score([1.0, 2.0], new double[1])).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => g.Score([double.NaN], new double[1])).ParamName);
        Assert.Equal("jacobian", Assert.Throws<ArgumentException>(() => VonMisesTuning.Jacobian(0, [0.0, 1.0], 1, new double[1])).ParamName);
    }
}

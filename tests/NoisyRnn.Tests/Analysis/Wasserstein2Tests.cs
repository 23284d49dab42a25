using MathNet.Numerics.Distributions;
using NoisyRnn.Analysis;

namespace NoisyRnn.Tests.Analysis;

/// <summary>W₂ against closed forms (shifts, scalings, two Gaussians) and against brute-force optimal couplings.</summary>
public class Wasserstein2Tests
{
    // Exact algorithms: only rounding separates them from the closed forms.
    private const double Rounding = 1e-9;

    [Fact]
    public void LineMatchesShiftsAndTwoGaussians()
    {
        double[] x = AnalysisTestData.Normal(1000, 1);
        Assert.Equal(0.7, Wasserstein2.Line(x, x.Select(v => v + 0.7).ToArray()), Rounding);
        Assert.Equal(0.0, Wasserstein2.Line(x, x.Reverse().ToArray()), Rounding);
        // Quantile grids of N(0.3, 1) (20,000 points) and N(−0.5, 1.7²) (15,000 points): W₂² = Δμ² + Δσ² = 0.64 + 0.49.
        // The grids' own error is their missing tails, below 1e-3 here.
        double[] a = Grid(20_000, 0.3, 1), b = Grid(15_000, -0.5, 1.7);
        Assert.Equal(Math.Sqrt(0.64 + 0.49), Wasserstein2.Line(a, b), 1e-3);
    }

    private static double[] Grid(int n, double mean, double std) =>
        [.. Enumerable.Range(0, n).Select(i => mean + std * Normal.InvCDF(0, 1, (i + 0.5) / n))];

    [Fact]
    public void LineWithUnequalSizesIsTheOptimalCoupling()
    {
        // n = 4, m = 6: replicate to 12 equal-weight points each (every a three times, every b twice) and solve exactly.
        for (int seed = 0; seed < 20; seed++)
        {
            double[] a = AnalysisTestData.Normal(4, 100 + seed), b = AnalysisTestData.Normal(6, 200 + seed, 0.5, 2);
            double brute = BruteForce(Replicate(a, 3), Replicate(b, 2), (u, v) => (u - v) * (u - v));
            Assert.Equal(brute, Wasserstein2.Line(a, b), Rounding);
        }
    }

    [Fact]
    public void CircleMatchesRotationsAndWrapAround()
    {
        Assert.Equal(2 * Math.PI - 6, Wasserstein2.Circle([-3.0], [3.0]), Rounding);
        Assert.Equal(0.4, Wasserstein2.Circle([Math.PI - 0.2], [-Math.PI + 0.2]), Rounding);
        // n equally spaced points rotated by δ ≤ π/n: each point moves by δ; a rotation by a whole spacing plus δ is the same set.
        const int n = 50;
        double spacing = 2 * Math.PI / n;
        double[] grid = [.. Enumerable.Range(0, n).Select(i => -Math.PI + i * spacing)];
        foreach (double delta in new[] { 0.1 * spacing, 0.3 * spacing, 0.5 * spacing })
        {
            Assert.Equal(delta, Wasserstein2.Circle(grid, grid.Select(v => v + delta).ToArray()), Rounding);
            Assert.Equal(delta, Wasserstein2.Circle(grid, grid.Select(v => v + spacing + delta).ToArray()), Rounding);
        }
        // A concentrated cloud rotated across ±π by 0.5 rad moves by 0.5.
        double[] cloud = AnalysisTestData.Normal(500, 3, Math.PI - 0.1, 0.05);
        Assert.Equal(0.5, Wasserstein2.Circle(cloud, cloud.Select(v => v + 0.5).ToArray()), Rounding);
        Assert.Equal(0.0, Wasserstein2.Circle(cloud, cloud.Select(v => v + 4 * Math.PI).ToArray()), Rounding);
    }

    [Fact]
    public void CircleIsTheOptimalCouplingWithGeodesicCost()
    {
        static double Geodesic(double u, double v)
        {
            double d = Math.Abs(u - v) % (2 * Math.PI);
            d = Math.Min(d, 2 * Math.PI - d);
            return d * d;
        }
        for (int seed = 0; seed < 30; seed++)
        {
            // Spread and clustered clouds, some straddling ±π; n = 5 and m = 3 replicated to 15 points each.
            double spread = seed % 3 == 0 ? 3 : seed % 3 == 1 ? 1 : 0.3;
            double[] a = AnalysisTestData.Normal(5, 300 + seed, Math.PI - 0.5, spread);
            double[] b = AnalysisTestData.Normal(3, 400 + seed, seed % 2 == 0 ? -Math.PI + 0.3 : 0.5, spread);
            double brute = BruteForce(Replicate(a, 3), Replicate(b, 5), Geodesic);
            Assert.Equal(brute, Wasserstein2.Circle(a, b), 1e-7);
        }
    }

    [Fact]
    public void ExactMatchesShiftsScalingsAndBruteForce()
    {
        double[] x = AnalysisTestData.Normal(2 * 300, 5);
        double[] shifted = new double[x.Length];
        for (int i = 0; i < 300; i++)
        {
            shifted[2 * i] = x[2 * i] + 0.3;
            shifted[2 * i + 1] = x[2 * i + 1] - 0.4;
        }
        Assert.Equal(0.5, Wasserstein2.Exact(x, shifted, 2), Rounding);
        // Brenier: x ↦ A x with A symmetric positive definite is the optimal map, so W₂² = mean |(A − I) x|².
        double[,] m = { { 1.5, 0.3 }, { 0.3, 0.8 } };
        var mapped = new double[x.Length];
        double sum = 0;
        for (int i = 0; i < 300; i++)
        {
            double u = x[2 * i], v = x[2 * i + 1];
            mapped[2 * i] = m[0, 0] * u + m[0, 1] * v;
            mapped[2 * i + 1] = m[1, 0] * u + m[1, 1] * v;
            sum += Math.Pow(mapped[2 * i] - u, 2) + Math.Pow(mapped[2 * i + 1] - v, 2);
        }
        Assert.Equal(Math.Sqrt(sum / 300), Wasserstein2.Exact(x, mapped, 2), Rounding);
        // Brute force over all 7! assignments.
        for (int seed = 0; seed < 5; seed++)
        {
            double[] a = AnalysisTestData.Normal(14, 500 + seed), b = AnalysisTestData.Normal(14, 600 + seed, 0.5);
            double brute = BruteForce2D(a, b);
            Assert.Equal(brute, Wasserstein2.Exact(a, b, 2), Rounding);
        }
        // Subsampling all the points of both clouds is the exact distance.
        Assert.Equal(0.5, Wasserstein2.Subsampled(x, shifted, 2, 1000, 9), Rounding);
    }

    [Fact]
    public void SubsampledDistanceOfTwoGaussiansApproachesTheClosedForm()
    {
        // N(0, I) and N((0.6, 0), 1.5² I) in 2-D: W₂² = 0.36 + 2 · 0.5² = 0.86. A subsample of k = 800 adds a positive
        // sampling term; at this size about +0.02-0.05 (measured), so the estimate lies in [W₂, W₂ + 0.12].
        double[] a = AnalysisTestData.Normal(2 * 5000, 7), b = AnalysisTestData.Normal(2 * 5000, 8, 0, 1.5);
        for (int i = 0; i < 5000; i++) b[2 * i] += 0.6;
        double w = Wasserstein2.Subsampled(a, b, 2, 800, 3);
        Assert.InRange(w, Math.Sqrt(0.86) - 0.02, Math.Sqrt(0.86) + 0.12);
    }

    [Fact]
    public void BadArgumentsAreReported()
    {
        Assert.Equal("first", Assert.Throws<ArgumentException>(() => Wasserstein2.Line([], [1.0])).ParamName);
        Assert.Equal("second", Assert.Throws<ArgumentException>(() => Wasserstein2.Circle([1.0], [double.NaN])).ParamName);
        Assert.Equal("second", Assert.Throws<ArgumentException>(() => Wasserstein2.Exact([0.0, 0.0], [0.0, 0.0, 1.0, 1.0], 2)).ParamName);
        Assert.Equal("first", Assert.Throws<ArgumentException>(() => Wasserstein2.Exact([0.0, 0.0, 1.0], [0.0, 0.0, 1.0], 2)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentOutOfRangeException>(() => Wasserstein2.Subsampled([0.0], [0.0], 1, 0, 1)).ParamName);
    }

    private static double[] Replicate(double[] values, int times) => [.. values.SelectMany(v => Enumerable.Repeat(v, times))];

    private static double BruteForce(double[] a, double[] b, Func<double, double, double> cost)
    {
        int n = a.Length;
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) matrix[i * n + j] = cost(a[i], b[j]);
        int[] assignment = OptimalAssignment.Solve(matrix, n);
        Assert.Equal(n, assignment.Distinct().Count());
        return Math.Sqrt(Enumerable.Range(0, n).Sum(i => matrix[i * n + assignment[i]]) / n);
    }

    // Minimum over all permutations of 7 points (independent of OptimalAssignment).
    private static double BruteForce2D(double[] a, double[] b)
    {
        int n = a.Length / 2;
        int[] perm = [.. Enumerable.Range(0, n)];
        double best = double.PositiveInfinity;
        void Recurse(int k)
        {
            if (k == n)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += Math.Pow(a[2 * i] - b[2 * perm[i]], 2) + Math.Pow(a[2 * i + 1] - b[2 * perm[i] + 1], 2);
                best = Math.Min(best, s);
                return;
            }
            for (int i = k; i < n; i++)
            {
                (perm[k], perm[i]) = (perm[i], perm[k]);
                Recurse(k + 1);
                (perm[k], perm[i]) = (perm[i], perm[k]);
            }
        }
        Recurse(0);
        return Math.Sqrt(best / n);
    }
}

using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// The 2-Wasserstein distance W₂(μ, ν) = (inf over couplings E|X − Y|²)^½ between two empirical distributions (point
/// clouds with equal weights per point), beside the KL divergence as a measure of how far quiescent occupancy is from
/// waking occupancy. Exact on the line and on the circle (any sizes); in several dimensions exact between two clouds of
/// equal size (optimal assignment) and, for large clouds, exact between random equal-size subsamples
/// (<see cref="Subsampled"/>), which overestimates the distance between the underlying distributions by a sampling
/// term that shrinks with the subsample size.
/// </summary>
public static class Wasserstein2
{
    /// <summary>
    /// Exact W₂ between two samples on the real line: (∫₀¹ (F⁻¹(u) − G⁻¹(u))² du)^½ with F⁻¹, G⁻¹ the empirical quantile
    /// functions (step functions with steps 1/n and 1/m; Villani 2003, Thm 2.18). O(n log n + m log m).
    /// </summary>
    /// <param name="first">Sample of μ, [n]; finite; n ≥ 1.</param>
    /// <param name="second">Sample of ν, [m]; finite; m ≥ 1.</param>
    /// <returns>W₂, in the unit of the samples.</returns>
    /// <exception cref="ArgumentException">A sample is empty or not finite.</exception>
    public static double Line(ReadOnlySpan<double> first, ReadOnlySpan<double> second)
    {
        double[] a = Sorted(first, nameof(first)), b = Sorted(second, nameof(second));
        long n = a.Length, m = b.Length;
        // Quantile steps end at (i + 1)/n and (j + 1)/m; in units of 1/(n m) they are the integers (i + 1)·m and (j + 1)·n.
        double sum = 0;
        long previous = 0;
        int i = 0, j = 0;
        while (i < n && j < m)
        {
            long endA = (i + 1) * m, endB = (j + 1) * n, end = Math.Min(endA, endB);
            double diff = a[i] - b[j];
            sum += diff * diff * (end - previous);
            previous = end;
            if (endA == end) i++;
            if (endB == end) j++;
        }
        return Math.Sqrt(sum / ((double)n * m));
    }

    /// <summary>
    /// Exact W₂ between two samples of angles on the circle with the geodesic (arc-length) distance:
    /// W₂² = min over α of ∫₀¹ (F̃⁻¹(u) − G̃⁻¹(u + α))² du, where F̃, G̃ are the cumulative distribution functions on one
    /// period extended to the real line by F̃(x + 2π) = F̃(x) + 1 (Delon, Salomon &amp; Sobolevski, SIAM J. Appl. Math. 2010;
    /// Rabin, Delon &amp; Gousseau, J. Math. Imaging Vis. 2011). The cost is a convex, piecewise-linear function of α; it
    /// is minimised by golden-section search on α ∈ [−1, 1] with every evaluation exact (O(n + m)), so the result is
    /// exact to about 1e-12 relative. Unlike <see cref="Line"/> on wrapped angles, mass near +π and −π is close.
    /// </summary>
    /// <param name="first">Angles of μ, rad, [n]; finite (any value: wrapped to [−π, π)); n ≥ 1.</param>
    /// <param name="second">Angles of ν, rad, [m]; finite; m ≥ 1.</param>
    /// <returns>W₂ in rad, in [0, π].</returns>
    /// <exception cref="ArgumentException">A sample is empty or not finite.</exception>
    public static double Circle(ReadOnlySpan<double> first, ReadOnlySpan<double> second)
    {
        double[] a = Turns(first, nameof(first)), b = Turns(second, nameof(second));
        double lo = -1, hi = 1;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo);
        double f1 = ShiftedCost(a, b, x1), f2 = ShiftedCost(a, b, x2);
        double best = Math.Min(Math.Min(f1, f2), ShiftedCost(a, b, 0));
        for (int k = 0; k < 100 && hi - lo > 1e-14; k++)
        {
            if (f1 <= f2)
            {
                hi = x2; x2 = x1; f2 = f1;
                x1 = hi - ratio * (hi - lo);
                f1 = ShiftedCost(a, b, x1);
                best = Math.Min(best, f1);
            }
            else
            {
                lo = x1; x1 = x2; f1 = f2;
                x2 = lo + ratio * (hi - lo);
                f2 = ShiftedCost(a, b, x2);
                best = Math.Min(best, f2);
            }
        }
        return 2 * Math.PI * Math.Sqrt(Math.Max(0, best));
    }

    /// <summary>
    /// Exact W₂ between two point clouds of the same size n in d dimensions with the Euclidean distance: the optimal
    /// assignment (Hungarian algorithm with potentials, Kuhn 1955 / Jonker-Volgenant shortest augmenting paths; O(n³) time,
    /// O(n²) memory), W₂² = (1/n) min over permutations σ of Σ_i |x_i − y_σ(i)|². About a second for n = 1000.
    /// </summary>
    /// <param name="first">Points of μ, [n, d] row-major; finite; n ≥ 1.</param>
    /// <param name="second">Points of ν, [n, d] row-major; finite; same length as <paramref name="first"/>.</param>
    /// <param name="dimensions">d; ≥ 1.</param>
    /// <returns>W₂ in the unit of the points.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A cloud is empty, not [n, d], not finite, or the sizes differ.</exception>
    public static double Exact(ReadOnlySpan<double> first, ReadOnlySpan<double> second, int dimensions)
    {
        Guard.Positive(dimensions);
        int n = CloudSize(first, dimensions, nameof(first));
        if (second.Length != first.Length)
            throw new ArgumentException($"second has length {second.Length}; expected {first.Length} (the same number of points as first, [{n}, {dimensions}]).", nameof(second));
        Guard.AllFinite(second, nameof(second));
        var cost = new double[(long)n * n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> x = first.Slice(i * dimensions, dimensions);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<double> y = second.Slice(j * dimensions, dimensions);
                double sq = 0;
                for (int k = 0; k < dimensions; k++)
                {
                    double diff = x[k] - y[k];
                    sq += diff * diff;
                }
                cost[(long)i * n + j] = sq;
            }
        }
        int[] assignment = OptimalAssignment.Solve(cost, n);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += cost[(long)i * n + assignment[i]];
        return Math.Sqrt(sum / n);
    }

    /// <summary>
    /// W₂ between two large point clouds estimated by <see cref="Exact"/> on random subsamples of min(points, n, m)
    /// points drawn without replacement from each. The subsample distance is biased upward: for two samples of the same
    /// distribution it is not 0 but about the "self-distance" floor of that size (in 2-D it shrinks roughly like
    /// √(log k / k) with the subsample size k), so compare a distance with the floor of the reference cloud against
    /// itself (two disjoint subsamples, as <see cref="ReplayAnalysis.Measure"/> reports). With points ≥ n = m the result is exact.
    /// </summary>
    /// <param name="first">Points of μ, [n, d] row-major; finite; n ≥ 1.</param>
    /// <param name="second">Points of ν, [m, d] row-major; finite; m ≥ 1.</param>
    /// <param name="dimensions">d; ≥ 1.</param>
    /// <param name="points">Subsample size; ≥ 1.</param>
    /// <param name="seed">Seed of the subsampling.</param>
    /// <returns>The subsample W₂, in the unit of the points.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="ArgumentException">A cloud is empty, not [count, d], or not finite.</exception>
    public static double Subsampled(ReadOnlySpan<double> first, ReadOnlySpan<double> second, int dimensions, int points, ulong seed)
    {
        Guard.Positive(dimensions);
        Guard.Positive(points);
        int n = CloudSize(first, dimensions, nameof(first));
        int m = CloudSize(second, dimensions, nameof(second));
        int k = Math.Min(points, Math.Min(n, m));
        var rng = new Xoshiro256(seed);
        double[] x = Subsample(first, dimensions, k, ref rng), y = Subsample(second, dimensions, k, ref rng);
        return Exact(x, y, dimensions);
    }

    /// <summary>k rows drawn without replacement (partial Fisher-Yates), in the order drawn.</summary>
    internal static double[] Subsample(ReadOnlySpan<double> cloud, int d, int k, ref Xoshiro256 rng)
    {
        int n = cloud.Length / d;
        var index = new int[n];
        for (int i = 0; i < n; i++) index[i] = i;
        var result = new double[k * d];
        for (int i = 0; i < k; i++)
        {
            int r = i + (int)(rng.NextDouble() * (n - i));
            (index[i], index[r]) = (index[r], index[i]);
            cloud.Slice(index[i] * d, d).CopyTo(result.AsSpan(i * d, d));
        }
        return result;
    }

    private static int CloudSize(ReadOnlySpan<double> cloud, int d, string name)
    {
        if (cloud.Length == 0 || cloud.Length % d != 0)
            throw new ArgumentException($"{name} has length {cloud.Length}; expected a positive multiple of d = {d} ([count, d]).", name);
        Guard.AllFinite(cloud, name);
        return cloud.Length / d;
    }

    private static double[] Sorted(ReadOnlySpan<double> sample, string name)
    {
        if (sample.Length == 0) throw new ArgumentException($"{name} must not be empty.", name);
        Guard.AllFinite(sample, name);
        double[] a = sample.ToArray();
        Array.Sort(a);
        return a;
    }

    // Angles as sorted fractions of a turn in [0, 1).
    private static double[] Turns(ReadOnlySpan<double> sample, string name)
    {
        if (sample.Length == 0) throw new ArgumentException($"{name} must not be empty.", name);
        Guard.AllFinite(sample, name);
        var a = new double[sample.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double u = sample[i] / (2 * Math.PI);
            u -= Math.Floor(u);
            a[i] = u >= 1 ? 0 : u;
        }
        Array.Sort(a);
        return a;
    }

    // ∫₀¹ (A(t) − B(t + α))² dt for the lifted quantile functions A(t) = a_i on ((i)/n, (i+1)/n] and
    // B(u) = b_{J mod m} + ⌊J/m⌋ on (J/m, (J+1)/m]; both are step functions, so the integral is a finite sum.
    private static double ShiftedCost(double[] a, double[] b, double alpha)
    {
        int n = a.Length, m = b.Length;
        long J = (long)Math.Floor(alpha * m);
        double t = 0, sum = 0;
        int i = 0;
        while (i < n)
        {
            double endA = (i + 1.0) / n, endB = (J + 1.0) / m - alpha;
            double end = Math.Min(endA, endB);
            if (end > t)
            {
                long wraps = J >= 0 ? J / m : -((-J + m - 1) / m);
                double bValue = b[(int)(J - wraps * m)] + wraps;
                double diff = a[i] - bValue;
                sum += diff * diff * (end - t);
                t = end;
            }
            if (endB <= endA) J++;
            if (endA <= endB) i++;
        }
        return sum;
    }
}

/// <summary>
/// The linear assignment problem: a permutation σ minimising Σ_i cost[i, σ(i)] for a square cost matrix, by the
/// Hungarian algorithm with row and column potentials and shortest augmenting paths (O(n³)).
/// </summary>
internal static class OptimalAssignment
{
    /// <summary>Solves the problem for cost [n, n] row-major (finite values); returns σ, [n]: row i goes to column σ(i).</summary>
    public static int[] Solve(ReadOnlySpan<double> cost, int n)
    {
        // 1-based potentials u (rows), v (columns); p[j] = row matched to column j (0 = none); column 0 is the virtual start.
        var u = new double[n + 1];
        var v = new double[n + 1];
        var p = new int[n + 1];
        var way = new int[n + 1];
        var minv = new double[n + 1];
        var used = new bool[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Clear(used);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                ReadOnlySpan<double> row = cost.Slice((i0 - 1) * n, n);
                double ui = u[i0];
                for (int j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    double cur = row[j - 1] - ui - v[j];
                    if (cur < minv[j])
                    {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            }
            while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= n; j++) assignment[p[j] - 1] = j - 1;
        return assignment;
    }
}

using System.Collections.Concurrent;
using System.Numerics.Tensors;
using MathNet.Numerics;
using NoisyRnn.Noise;

namespace NoisyRnn.Analysis;

/// <summary>
/// Kernel density estimate of one angle on the circle with von Mises kernels: for angles θ_i (radians) with normalised
/// weights w_i (1/n when none are given) and concentration κ,
/// p(θ) = Σ_i w_i exp(κ cos(θ − θ_i)) / (2π I₀(κ)), a density on one turn (∫ p = 1 over any interval of length 2π) that is
/// periodic, hence continuous across ±π. This is the paper-mode density of decoded head directions: the linear
/// <see cref="GaussianKde"/> of headings wrapped to [−π, π) splits data near ±π into two half-kernels that leak mass
/// outside the interval, so its KL depends on where the data sit on the circle; this one is invariant under rotating
/// all angles by the same amount (docs/reference-differences.md gives the measured effect).
/// </summary>
/// <remarks>
/// <para>Bandwidth rule (default): Scott's rule taken on the circle, the rule the linear estimate uses, with the data's
/// spread measured after turning them so that their circular mean μ = atan2(Σ w_i sin θ_i, Σ w_i cos θ_i) sits at 0:
/// with δ_i = wrap(θ_i − μ) and δ̄ = Σ w_i δ_i, s² = Σ w_i (δ_i − δ̄)² / (1 − Σ w_i²) (the ddof-1 variance for equal
/// weights), h = s · n_eff^(−1/5) with
/// n_eff = 1 / Σ w_i², and κ = 1 / h² (a von Mises kernel of large κ is a normal of std 1/√κ). Data concentrated away
/// from ±π therefore get the same kernel width as <see cref="GaussianKde"/> with Scott's rule, and the same data rotated
/// anywhere keep it. The spread is bounded by π, so multimodal data (several frozen quiescent chains) get a finite,
/// moderate κ rather than the κ → 0 of rules built on the mean resultant length (Taylor 2008). An explicit κ overrides
/// the rule.</para>
/// <para>Numerics: log p is a log-sum-exp of κ cos(θ − θ_i) + ln w_i shifted by its largest term and normalised with the
/// exponentially scaled Bessel function (MathNet <c>BesselIScaled(0, κ)</c> = e^(−κ) I₀(κ)), so it is finite for every
/// finite query and every κ. cos(θ − θ_i) is formed as cos θ cos θ_i + sin θ sin θ_i from tabulated cosines and sines
/// (vectorised with TensorPrimitives; absolute rounding about 1e-16 κ in the exponent). The data are kept sorted by angle, and
/// a query sums only the arc around it outside which every kernel weighs less than e^-37 / n of the nearest one (found by
/// binary search; exact to double rounding, as <see cref="GaussianKde"/>'s leaf skipping), so sharp kernels cost little. Queries run in parallel, each
/// computed entirely by one thread in a fixed order, so results do not depend on the thread count. Immutable and
/// thread-safe.</para>
/// </remarks>
public sealed class CircularKde : IKernelDensity
{
    // Below this κ the numpy von Mises sampler draws uniformly (the kernel is flat to double precision over one turn).
    private const double UniformKappa = 1e-8;

    // Above this κ the numpy sampler uses the wrapped normal N(0, 1/κ) (the rejection sampler loses precision).
    private const double WrappedNormalKappa = 1e6;

    // A spread below this (rad) is the rounding of wrapping equal angles (e.g. θ and θ + 2π), not data.
    private const double MinimumSpread = 1e-10;

    private readonly double[] _angles;      // [m] kept angles (positive weight), wrapped to [−π, π), input order (Resample)
    private readonly double[] _sorted;      // [m] the kept angles in increasing order (LogEvaluate)
    private readonly double[] _cos, _sin;   // [m] cosines and sines of the sorted angles
    private readonly double[]? _logWeight;  // [m] ln(w_i / max w) (≤ 0) of the sorted angles; null when unweighted
    private readonly double _cutoff;        // a kernel whose exponent is this far below the largest weighs < 1e-16 of the sum
    private readonly double[]? _cumulative; // [m] running sums of the kept weights (weighted resampling); null when unweighted
    private readonly double[] _weights;     // [n] normalised weights in input order
    private readonly double _logNorm;       // ln(max w) − ln(2π I₀(κ)) + κ, so log p = logNorm + LSE(κ (cos − 1) ...) (see LogDensity)

    /// <summary>Builds the estimate with κ from Scott's rule on the circle (see the remarks).</summary>
    /// <param name="angles">Angles θ_i, [n], radians, finite (any value; only θ mod 2π matters); n ≥ 2.</param>
    /// <exception cref="ArgumentException">A non-finite angle (ParamName "angles").</exception>
    /// <exception cref="DegenerateDataException">n &lt; 2, or all angles equal modulo 2π (spread below 1e-10 rad, so no bandwidth).</exception>
    public CircularKde(ReadOnlySpan<double> angles)
        : this(angles, default, weighted: false, double.NaN)
    {
    }

    /// <summary>Builds the estimate with an explicit concentration κ of the von Mises kernels.</summary>
    /// <param name="angles">Angles θ_i, [n], radians, finite; n ≥ 1.</param>
    /// <param name="concentration">κ; finite and &gt; 0 (the kernel's std is about 1/√κ rad for large κ).</param>
    /// <exception cref="ArgumentException">Empty or a non-finite angle (ParamName "angles").</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concentration"/> not finite and positive.</exception>
    public CircularKde(ReadOnlySpan<double> angles, double concentration)
        : this(angles, default, weighted: false, concentration)
    {
    }

    /// <summary>Builds a weighted estimate with κ from Scott's rule on the circle, with the effective sample size
    /// n_eff = 1 / Σ w_i² and the weighted spread (see the remarks).</summary>
    /// <param name="angles">Angles θ_i, [n], radians, finite; n ≥ 2.</param>
    /// <param name="weights">One weight per angle, [n], finite and ≥ 0, not all 0; any positive scale. Angles of weight 0
    /// contribute nothing.</param>
    /// <exception cref="ArgumentException">A non-finite angle (ParamName "angles"); weights of the wrong length, non-finite,
    /// negative or all 0 (ParamName "weights").</exception>
    /// <exception cref="DegenerateDataException">Fewer than 2 positive weights, the weight on essentially one angle, or no
    /// spread.</exception>
    public CircularKde(ReadOnlySpan<double> angles, ReadOnlySpan<double> weights)
        : this(angles, weights, weighted: true, double.NaN)
    {
    }

    /// <summary>Builds a weighted estimate with an explicit concentration κ.</summary>
    /// <param name="angles">Angles θ_i, [n], radians, finite; n ≥ 1.</param>
    /// <param name="weights">One weight per angle, [n], finite and ≥ 0, not all 0; any positive scale.</param>
    /// <param name="concentration">κ; finite and &gt; 0.</param>
    /// <exception cref="ArgumentException">As for the weighted constructor with the rule.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concentration"/> not finite and positive.</exception>
    public CircularKde(ReadOnlySpan<double> angles, ReadOnlySpan<double> weights, double concentration)
        : this(angles, weights, weighted: true, concentration)
    {
    }

    private CircularKde(ReadOnlySpan<double> angles, ReadOnlySpan<double> weights, bool weighted, double concentration)
    {
        bool fromRule = double.IsNaN(concentration);
        if (!fromRule) Guard.Positive(concentration, nameof(concentration));
        if (angles.Length == 0) throw new ArgumentException("angles is empty; expected at least one angle.", nameof(angles));
        Guard.AllFinite(angles, nameof(angles));
        int n = angles.Length;
        _weights = weighted ? GaussianKde.NormalizedWeights(weights, n) : Filled(n, 1.0 / n);
        double sumSquares = 0, maxWeight = 0;
        int kept = 0;
        foreach (double w in _weights)
        {
            sumSquares += w * w;
            maxWeight = Math.Max(maxWeight, w);
            if (w > 0) kept++;
        }
        Count = n;
        EffectiveSampleSize = weighted ? 1 / sumSquares : n;

        _angles = new double[kept];
        var keptWeights = new double[kept];
        for (int i = 0, j = 0; i < n; i++)
        {
            if (!(_weights[i] > 0)) continue;
            _angles[j] = WrapAngle(angles[i]);
            keptWeights[j++] = _weights[i];
        }
        double sumSin = 0, sumCos = 0;
        for (int j = 0; j < kept; j++)
        {
            (double sin, double cos) = Math.SinCos(_angles[j]);
            sumSin += keptWeights[j] * sin;
            sumCos += keptWeights[j] * cos;
        }
        CircularMean = Math.Atan2(sumSin, sumCos);
        MeanResultantLength = Math.Min(1, Math.Sqrt(sumSin * sumSin + sumCos * sumCos));

        if (fromRule)
        {
            if (kept < 2)
                throw new DegenerateDataException($"{(weighted ? "weights give" : "angles has")} {kept} angle(s) with positive weight; Scott's rule needs at least 2 (or pass an explicit concentration).", weighted ? "weights" : "angles");
            if (weighted && !(1 - sumSquares > 0))
                throw new DegenerateDataException($"weights put essentially all their mass on one angle (effective sample size {1 / sumSquares:R}); Scott's rule needs the weight spread over at least 2 angles.", "weights");
            // Deviations from the circular mean, wrapped, then their ordinary (weighted) variance about their own mean: the
            // linear variance of the data turned so that their circular mean sits at 0, far from the seam.
            var deviation = new double[kept];
            double meanDeviation = 0;
            for (int j = 0; j < kept; j++)
            {
                deviation[j] = WrapAngle(_angles[j] - CircularMean);
                meanDeviation += (weighted ? keptWeights[j] : 1.0 / n) * deviation[j];
            }
            double ss = 0;
            for (int j = 0; j < kept; j++)
            {
                double dev = deviation[j] - meanDeviation;
                ss += (weighted ? keptWeights[j] : 1) * dev * dev;
            }
            double variance = ss / (weighted ? 1 - sumSquares : n - 1);
            if (!(variance > MinimumSpread * MinimumSpread))
                throw new DegenerateDataException($"all {kept} angle(s) with positive weight are equal ({CircularMean:R} rad): no spread, so Scott's rule gives no bandwidth. Pass an explicit concentration.", "angles");
            double h = Math.Sqrt(variance) * Math.Pow(EffectiveSampleSize, -0.2);
            concentration = 1 / (h * h);
        }
        Concentration = concentration;

        // The kernels sorted by angle (ties by input position), so that a query sums only the arc of angles whose kernels
        // are not negligible.
        int[] order = Enumerable.Range(0, kept).ToArray();
        Array.Sort(order, (a, b) => _angles[a] != _angles[b] ? _angles[a].CompareTo(_angles[b]) : a.CompareTo(b));
        _sorted = new double[kept];
        _cos = new double[kept];
        _sin = new double[kept];
        for (int j = 0; j < kept; j++)
        {
            _sorted[j] = _angles[order[j]];
            (_sin[j], _cos[j]) = Math.SinCos(_sorted[j]);
        }
        if (weighted)
        {
            _logWeight = new double[kept];
            _cumulative = new double[kept];
            double running = 0;
            for (int j = 0; j < kept; j++)
            {
                _logWeight[j] = Math.Log(keptWeights[order[j]] / maxWeight);
                _cumulative[j] = running += keptWeights[j];
            }
        }
        // All skipped kernels together weigh less than m e^-37 / m ≈ 1e-16 of the largest one.
        _cutoff = Math.Log(kept) + 37;
        // log p(θ) = ln(max w) − ln(2π e^(−κ) I₀(κ)) + LSE_i(κ (cos(θ − θ_i) − 1) + ln(w_i / max w)).
        _logNorm = Math.Log(maxWeight) - Math.Log(2 * Math.PI) - LogScaledBesselI0(concentration);
    }

    /// <summary>ln(e^(−κ) I₀(κ)) for κ ≥ 0, from MathNet's exponentially scaled Bessel function.</summary>
    internal static double LogScaledBesselI0(double kappa) => Math.Log(SpecialFunctions.BesselIScaled(0, kappa));

    private static double[] Filled(int n, double value)
    {
        var a = new double[n];
        a.AsSpan().Fill(value);
        return a;
    }

    // θ wrapped to [−π, π) (as Angles.Wrap, without its per-call check).
    private static double WrapAngle(double angle)
    {
        double r = Math.IEEERemainder(angle, 2 * Math.PI); // in [−π, π]
        return r >= Math.PI ? r - 2 * Math.PI : r;
    }

    /// <inheritdoc />
    public int Dimensions => 1;

    /// <summary>The estimator's name in reports: <c>von_mises_kde</c>.</summary>
    public string Estimator => "von_mises_kde";

    /// <summary>n, the number of angles given (weight-0 angles included).</summary>
    public int Count { get; }

    /// <summary>n_eff = 1 / Σ w_i² of the normalised weights; <see cref="Count"/> when unweighted.</summary>
    public double EffectiveSampleSize { get; }

    /// <summary>κ, the concentration of every von Mises kernel (from the rule or as given).</summary>
    public double Concentration { get; }

    /// <summary>1/√κ, rad: the std of the normal that a von Mises kernel of large κ approaches (the kernel width a
    /// <see cref="GaussianKde"/> would call factor × data std).</summary>
    public double KernelWidth => 1 / Math.Sqrt(Concentration);

    /// <summary>The weighted circular mean of the data, atan2(Σ w sin θ, Σ w cos θ), rad in [−π, π] (0 when the resultant is 0).</summary>
    public double CircularMean { get; }

    /// <summary>The weighted mean resultant length |Σ w_i e^(iθ_i)|, in [0, 1]: 1 for identical angles, about 0 for uniform ones.</summary>
    public double MeanResultantLength { get; }

    /// <summary>The normalised weights, [n] in input order, summing to 1 (a copy).</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>Density at each angle, 1/rad (exp of <see cref="LogEvaluate"/>; underflows to 0 far from sharp data).</summary>
    /// <param name="angles">Query angles, [m], radians, finite; m may be 0.</param>
    /// <returns>Densities, [m].</returns>
    /// <exception cref="ArgumentException">A non-finite angle (ParamName "points").</exception>
    public double[] Evaluate(ReadOnlySpan<double> angles)
    {
        double[] result = LogEvaluate(angles);
        for (int i = 0; i < result.Length; i++) result[i] = Math.Exp(result[i]);
        return result;
    }

    /// <summary>
    /// Natural log of the density at each angle, ln Σ_i w_i exp(κ cos(θ − θ_i)) − ln(2π I₀(κ)), by a log-sum-exp: finite
    /// for every finite angle and κ.
    /// </summary>
    /// <param name="points">Query angles, [m], radians, finite (any value; periodic); m may be 0.</param>
    /// <returns>Log densities, [m], in ln(1/rad).</returns>
    /// <exception cref="ArgumentException">A non-finite angle (ParamName "points").</exception>
    public double[] LogEvaluate(ReadOnlySpan<double> points)
    {
        Guard.AllFinite(points, nameof(points));
        int m = points.Length;
        var result = new double[m];
        if (m == 0) return result;
        double[] queries = points.ToArray();
        int grain = Math.Max(1, Math.Min(64, m / (4 * Environment.ProcessorCount)));
        Parallel.ForEach(Partitioner.Create(0, m, grain), range =>
        {
            for (int i = range.Item1; i < range.Item2; i++) result[i] = LogDensity(queries[i]);
        });
        return result;
    }

    // _logNorm − κ + LSE_i(κ (cos θ cos θ_i + sin θ sin θ_i) + ln(w_i / max w)) over the arc of sorted angles whose terms can
    // matter: the nearest angle θ_j gives a term ≥ κ cos d_j + ln w_j, and an angle at distance d contributes at most
    // κ cos d, so angles with cos d < cos d_j + (ln w_j − cutoff) / κ are skipped (each below e^-cutoff of the largest term).
    private double LogDensity(double angle)
    {
        double kappa = Concentration;
        int m = _sorted.Length;
        double theta = WrapAngle(angle);
        int above = LowerBound(_sorted, theta);
        int nearest = NearestOf(theta, above == m ? 0 : above, above == 0 ? m - 1 : above - 1);
        double bound = Math.Cos(theta - _sorted[nearest]) + ((_logWeight?[nearest] ?? 0) - _cutoff) / kappa;
        // Shift: κ cos d_nearest bounds every term from above (cos d_i ≤ cos d_nearest for the farther angles, ln w_i ≤ 0), so
        // exp(term − shift) ≤ 1 and the nearest term is exp(ln w_nearest) relative to it: one pass, no overflow.
        double shift = kappa * Math.Cos(theta - _sorted[nearest]);
        (double s, double c) = Math.SinCos(theta);
        double sum = 0;
        if (bound <= -1)
        {
            sum = SumExp(0, m, kappa * c, kappa * s, shift);
        }
        else
        {
            double reach = Math.Acos(bound); // in [0, π)
            double low = theta - reach, high = theta + reach;
            // The arc [low, high] as at most two increasing index ranges of the sorted angles.
            if (low < -Math.PI)
            {
                sum = SumExp(LowerBound(_sorted, low + 2 * Math.PI), m, kappa * c, kappa * s, shift)
                    + SumExp(0, UpperBound(_sorted, high), kappa * c, kappa * s, shift);
            }
            else if (high >= Math.PI)
            {
                sum = SumExp(LowerBound(_sorted, low), m, kappa * c, kappa * s, shift)
                    + SumExp(0, UpperBound(_sorted, high - 2 * Math.PI), kappa * c, kappa * s, shift);
            }
            else
            {
                sum = SumExp(LowerBound(_sorted, low), UpperBound(_sorted, high), kappa * c, kappa * s, shift);
            }
        }
        if (!(sum > 0))
        {
            // Only with weights below e^-700 of the largest near the query: sum again relative to the largest term itself.
            var terms = new double[m];
            FillTerms(theta, 0, m, terms);
            shift = TensorPrimitives.Max<double>(terms);
            sum = SumExp(0, m, kappa * c, kappa * s, shift);
        }
        return _logNorm + (shift - kappa) + Math.Log(sum);
    }

    // Σ exp(kc cos θ_i + ks sin θ_i + ln w_i − shift) over sorted angles [start, end), one vectorised pass in a fixed order.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double SumExp(int start, int end, double kc, double ks, double shift)
    {
        int width = System.Numerics.Vector<double>.Count, i = start;
        var vkc = new System.Numerics.Vector<double>(kc);
        var vks = new System.Numerics.Vector<double>(ks);
        var vshift = new System.Numerics.Vector<double>(-shift);
        var acc = System.Numerics.Vector<double>.Zero;
        ReadOnlySpan<double> cos = _cos, sin = _sin, logWeight = _logWeight;
        bool weighted = _logWeight is not null;
        for (; i <= end - width; i += width)
        {
            var t = System.Numerics.Vector.FusedMultiplyAdd(new System.Numerics.Vector<double>(cos.Slice(i, width)), vkc,
                System.Numerics.Vector.FusedMultiplyAdd(new System.Numerics.Vector<double>(sin.Slice(i, width)), vks, vshift));
            if (weighted) t += new System.Numerics.Vector<double>(logWeight.Slice(i, width));
            acc += System.Numerics.Vector.Exp(t);
        }
        double sum = System.Numerics.Vector.Sum(acc);
        for (; i < end; i++) sum += Math.Exp(kc * cos[i] + ks * sin[i] + (weighted ? logWeight[i] : 0) - shift);
        return sum;
    }

    // The index of whichever of two sorted angles is circularly nearer to θ.
    private int NearestOf(double theta, int a, int b) =>
        Math.Abs(WrapAngle(theta - _sorted[a])) <= Math.Abs(WrapAngle(theta - _sorted[b])) ? a : b;

    private void FillTerms(double theta, int start, int end, Span<double> terms)
    {
        double kappa = Concentration;
        (double s, double c) = Math.SinCos(theta);
        int length = end - start;
        TensorPrimitives.Multiply(_cos.AsSpan(start, length), kappa * c, terms);
        TensorPrimitives.FusedMultiplyAdd(_sin.AsSpan(start, length), kappa * s, terms, terms);
        if (_logWeight is not null) TensorPrimitives.Add(terms, _logWeight.AsSpan(start, length), terms);
    }

    // First index i with sorted[i] >= x (sorted.Length when none).
    private static int LowerBound(double[] sorted, double x)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < x) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    // First index i with sorted[i] > x (sorted.Length when none).
    private static int UpperBound(double[] sorted, double x)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (sorted[mid] <= x) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    /// <summary>
    /// Draws angles from the estimate: each draw picks a data angle with probability equal to its normalised weight
    /// (uniformly when unweighted) and adds a von Mises(0, κ) offset drawn as numpy's <c>random.vonmises</c> does (Best and
    /// Fisher's rejection sampler; uniform below κ = 1e-8, wrapped normal above 1e6), then wraps to [−π, π). Uses
    /// xoshiro256** seeded by <paramref name="seed"/>; the same seed gives the same angles, and rotating the data by φ
    /// rotates the draws by φ (same picks and offsets).
    /// </summary>
    /// <param name="count">Number of draws; &gt; 0.</param>
    /// <param name="seed">Any 64-bit seed.</param>
    /// <returns>Angles, [count], radians in [−π, π).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> ≤ 0.</exception>
    public double[] Resample(int count, ulong seed)
    {
        Guard.Positive(count);
        var rng = new Xoshiro256(seed);
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            int index = _cumulative is null
                ? (int)Math.BigMul(rng.NextUInt64(), (ulong)_angles.Length, out _)
                : PickWeighted(rng.NextDouble());
            result[i] = WrapAngle(_angles[index] + VonMisesOffset(Concentration, ref rng));
        }
        return result;
    }

    private int PickWeighted(double u)
    {
        double[] cumulative = _cumulative!;
        double target = u * cumulative[^1];
        int low = 0, high = cumulative.Length - 1;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > target) high = mid;
            else low = mid + 1;
        }
        return low;
    }

    // One draw of von Mises(0, κ), numpy's random_vonmises (legacy-free branch) with our generator.
    internal static double VonMisesOffset(double kappa, ref Xoshiro256 rng)
    {
        if (kappa < UniformKappa) return Math.PI * (2 * rng.NextDouble() - 1);
        if (kappa > WrappedNormalKappa)
        {
            double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);
            double u2 = rng.NextDouble();
            return Math.Sqrt(1 / kappa) * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        double sParam;
        if (kappa < 1e-5)
        {
            sParam = 1 / kappa + kappa;
        }
        else
        {
            double r = 1 + Math.Sqrt(1 + 4 * kappa * kappa);
            double rho = (r - Math.Sqrt(2 * r)) / (2 * kappa);
            sParam = (1 + rho * rho) / (2 * rho);
        }
        double w;
        while (true)
        {
            double u = rng.NextDouble();
            double z = Math.Cos(Math.PI * u);
            w = (1 + sParam * z) / (sParam + z);
            double y = kappa * (sParam - w);
            double v = rng.NextDouble();
            if (y * (2 - y) - v >= 0 || Math.Log(y / v) + 1 - y >= 0) break;
        }
        double result = Math.Acos(Math.Clamp(w, -1, 1));
        return rng.NextDouble() < 0.5 ? -result : result;
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using NoisyRnn.Noise;
using NoisyRnn.Kernels;

namespace NoisyRnn.Analysis;

/// <summary>
/// Gaussian kernel density estimate with one full-covariance kernel per data point, following the semantics of
/// <c>scipy.stats.gaussian_kde</c>, with equal weights (the paper's analysis) or optional non-negative point weights:
/// the density at x is Σ_i w_i N(x; x_i, K) with the weights normalised to sum to 1 (w_i = 1/n when none are given),
/// and the kernel covariance K is the (weighted) data covariance times factor². This is the estimator the paper's
/// analysis uses for the KL divergence between quiescent and active output distributions.
/// </summary>
/// <remarks>
/// <para>Weighted semantics (as scipy documents them): the effective sample size is n_eff = 1 / Σ w_i²; Scott's factor is
/// n_eff^(-1/(d+4)) and Silverman's (n_eff (d+2)/4)^(-1/(d+4)); the data covariance is the weighted mean
/// μ = Σ w_i x_i and Σ w_i (x_i − μ)(x_i − μ)ᵀ / (1 − Σ w_i²), which reduces to the ddof-1 covariance for equal weights.
/// Points with weight 0 contribute nothing to the density, the score or the resampled points.</para>
/// <para>Implementation: the kernel covariance is factored once by Cholesky (MathNet), K = L Lᵀ, and the data are
/// moved to the whitened space y = L⁻¹ (x − mean), stored one dimension after the other. A query then needs only
/// squared Euclidean distances in the whitened space, which are computed and exponentiated with 512- or 256-bit
/// vectors (scalar fallback) over the leaves of a median-split partition of the data (a k-d tree's leaves, up to 256
/// points each). A point's weight enters as a non-negative offset −2 ln(w_i / max_j w_j) added to its squared
/// distance (0 for equal weights), so weights cost one more vector load and change none of the bounds below. The leaf
/// nearest the query is summed first; leaves whose bounding box lies so far beyond the nearest point that all their
/// kernels together weigh less than 1e-16 of the sum are skipped (exact to double rounding).
/// Queries run in parallel, each computed entirely by one thread in an order fixed by the query alone, so results
/// are identical for any thread count.</para>
/// <para>The sum of exponentials is kept relative to the smallest (offset) squared distance seen so far (an online
/// log-sum-exp), so <see cref="LogEvaluate"/> stays finite and accurate arbitrarily far from the data, where the
/// density itself underflows to 0.</para>
/// <para>An instance is immutable after construction and safe to use from several threads at once. Results are
/// reproducible for a given machine; the 512-bit, 256-bit and scalar paths round differently in the last bits.</para>
/// </remarks>
public sealed class GaussianKde : IKernelDensity
{
    // Largest number of data points in one leaf of the spatial partition (the unit of the distance/exp kernel).
    private const int LeafSize = 256;

    // Padding granularity of each leaf in the whitened coordinate arrays (the widest vector, 8 doubles).
    private const int Pad = 8;

    // A fused leaf pass relative to a shift more than this above the leaf's minimum risks exp overflow (e^650 × 256
    // terms stays finite); such a leaf is summed again relative to its own minimum.
    private const double OverflowGuard = 1300;

    // Segments of the partition at least this large split their two halves across threads.
    private const int ParallelPartitionSize = 16384;

    // A pivot of the Cholesky factor is the variance of one coordinate left unexplained by the previous ones.
    // Below this fraction of the coordinate's own variance the covariance is treated as singular.
    private const double SingularPivotFraction = 1e-12;

    private readonly double[] _data;       // [m, d] row-major, original coordinates of the points with positive weight (for Resample)
    private readonly double[]? _cumulative; // [m] running sums of those points' normalised weights (weighted Resample); null when unweighted
    private readonly double[] _weights;    // [n] normalised weights of all points, in input order
    private readonly double[] _center;     // [d] (weighted) data mean, subtracted before whitening
    private readonly double[] _whitenT;    // [d, d] row-major L⁻¹ (lower triangular)
    private readonly double[] _cholesky;   // [d, d] row-major L (lower triangular)
    private readonly double[] _whitened;   // [d, stride] one row per dimension, points grouped by leaf, leaves padded with +∞
    private readonly double[] _offset;     // [stride] −2 ln(w_i / max w) per slot of _whitened (0 for equal weights and padding)
    private readonly int _stride;
    private readonly int[] _leafStart;     // [leaves + 1] offsets of each leaf in a row of _whitened (multiples of Pad)
    private readonly double[] _leafLow;    // [leaves, d] bounding box of each leaf, whitened coordinates
    private readonly double[] _leafHigh;   // [leaves, d]
    private readonly double _cutoff;       // squared whitened distance beyond the nearest point at which kernels are negligible
    private readonly double[] _kernelCovariance;
    private readonly double _logNorm;

    // The vector width of the distance/exp kernels (the widest the hardware has, unless a test lowered it).
    internal IsaTier Tier { get; }

    /// <summary>
    /// Builds the estimate with a bandwidth factor from a rule, exactly as <c>scipy.stats.gaussian_kde(data.T,
    /// bw_method="scott" | "silverman")</c>.
    /// </summary>
    /// <param name="data">Points, shape [n, d] row-major, finite; n = data.Length / dimensions must exceed d.</param>
    /// <param name="dimensions">d, the number of coordinates per point; d ≥ 1.</param>
    /// <param name="rule">Bandwidth rule; Scott by default (the paper's choice).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> ≤ 0 or <paramref name="rule"/> undefined.</exception>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value in <paramref name="data"/>.</exception>
    /// <exception cref="DegenerateDataException">n ≤ d, a zero-variance dimension, or a singular covariance.</exception>
    public GaussianKde(ReadOnlySpan<double> data, int dimensions, BandwidthRule rule = BandwidthRule.Scott)
        : this(data, dimensions, default, weighted: false, rule, double.NaN, fromRule: true, Isa.Tier)
    {
    }

    /// <summary>
    /// Builds the estimate with an explicit bandwidth factor, as <c>scipy.stats.gaussian_kde(data.T, bw_method=factor)</c>
    /// with a scalar: kernel covariance = data covariance (ddof 1) × factor².
    /// </summary>
    /// <param name="data">Points, shape [n, d] row-major, finite; n = data.Length / dimensions must exceed d.</param>
    /// <param name="dimensions">d, the number of coordinates per point; d ≥ 1.</param>
    /// <param name="bandwidthFactor">Multiplier of the data standard deviations; finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> ≤ 0 or <paramref name="bandwidthFactor"/> not finite and positive.</exception>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value in <paramref name="data"/>.</exception>
    /// <exception cref="DegenerateDataException">n ≤ d, a zero-variance dimension, or a singular covariance.</exception>
    public GaussianKde(ReadOnlySpan<double> data, int dimensions, double bandwidthFactor)
        : this(data, dimensions, default, weighted: false, BandwidthRule.Scott, bandwidthFactor, fromRule: false, Isa.Tier)
    {
    }

    /// <summary>
    /// Builds a weighted estimate with a bandwidth factor from a rule, as <c>scipy.stats.gaussian_kde(data.T,
    /// bw_method="scott" | "silverman", weights=weights)</c>: the weights are normalised to sum to 1, the factor uses
    /// the effective sample size n_eff = 1 / Σ w_i² in place of n, and the kernel covariance is the weighted covariance
    /// Σ w_i (x_i − μ)(x_i − μ)ᵀ / (1 − Σ w_i²) (μ = Σ w_i x_i) times factor². With all weights equal this is the
    /// unweighted estimate up to double rounding.
    /// </summary>
    /// <param name="data">Points, shape [n, d] row-major, finite; n = data.Length / dimensions must exceed d.</param>
    /// <param name="dimensions">d, the number of coordinates per point; d ≥ 1.</param>
    /// <param name="weights">One weight per point, shape [n], finite and ≥ 0, not all 0; any positive scale (only the
    /// ratios matter). Points of weight 0 are ignored; at least d + 1 points must have a positive weight.</param>
    /// <param name="rule">Bandwidth rule; Scott by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> ≤ 0 or <paramref name="rule"/> undefined.</exception>
    /// <exception cref="ArgumentException">Length of <paramref name="data"/> not a multiple of d or a non-finite value in it
    /// (ParamName "data"); <paramref name="weights"/> of the wrong length, with a non-finite or negative value, or all 0
    /// (ParamName "weights").</exception>
    /// <exception cref="DegenerateDataException">n ≤ d, at most d points with positive weight, weights so concentrated on
    /// one point that 1 − Σ w² rounds to 0 (ParamName "weights"), a zero-variance dimension
    /// or a singular weighted covariance.</exception>
    public GaussianKde(ReadOnlySpan<double> data, int dimensions, ReadOnlySpan<double> weights, BandwidthRule rule = BandwidthRule.Scott)
        : this(data, dimensions, weights, weighted: true, rule, double.NaN, fromRule: true, Isa.Tier)
    {
    }

    /// <summary>
    /// Builds a weighted estimate with an explicit bandwidth factor, as <c>scipy.stats.gaussian_kde(data.T,
    /// bw_method=factor, weights=weights)</c>: kernel covariance = weighted data covariance
    /// Σ w_i (x_i − μ)(x_i − μ)ᵀ / (1 − Σ w_i²) × factor², with the weights normalised to sum to 1.
    /// </summary>
    /// <param name="data">Points, shape [n, d] row-major, finite; n = data.Length / dimensions must exceed d.</param>
    /// <param name="dimensions">d, the number of coordinates per point; d ≥ 1.</param>
    /// <param name="weights">One weight per point, shape [n], finite and ≥ 0, not all 0; any positive scale.</param>
    /// <param name="bandwidthFactor">Multiplier of the weighted data standard deviations; finite and &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> ≤ 0 or <paramref name="bandwidthFactor"/> not finite and positive.</exception>
    /// <exception cref="ArgumentException">As for the weighted constructor with a rule.</exception>
    /// <exception cref="DegenerateDataException">n ≤ d, at most d points with positive weight, weights so concentrated on
    /// one point that 1 − Σ w² rounds to 0 (ParamName "weights"), a zero-variance dimension
    /// or a singular weighted covariance.</exception>
    public GaussianKde(ReadOnlySpan<double> data, int dimensions, ReadOnlySpan<double> weights, double bandwidthFactor)
        : this(data, dimensions, weights, weighted: true, BandwidthRule.Scott, bandwidthFactor, fromRule: false, Isa.Tier)
    {
    }

    // Scott's rule with the kernels forced to a given vector tier (lowered to what the hardware has): for tests.
    internal GaussianKde(ReadOnlySpan<double> data, int dimensions, IsaTier tier, double[]? weights = null)
        : this(data, dimensions, weights, weighted: weights is not null, BandwidthRule.Scott, double.NaN, fromRule: true, Isa.Clamp(tier))
    {
    }

    private GaussianKde(ReadOnlySpan<double> data, int dimensions, ReadOnlySpan<double> weights, bool weighted, BandwidthRule rule,
        double bandwidthFactor, bool fromRule, IsaTier tier)
    {
        Tier = tier;
        Guard.Positive(dimensions);
        if (fromRule && rule is not (BandwidthRule.Scott or BandwidthRule.Silverman))
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "rule must be Scott or Silverman.");
        if (!fromRule) Guard.Positive(bandwidthFactor, nameof(bandwidthFactor));
        if (data.Length % dimensions != 0)
            throw new ArgumentException($"data has length {data.Length}, which is not a multiple of dimensions = {dimensions}; expected shape [n, {dimensions}].", nameof(data));
        Guard.AllFinite(data, nameof(data));
        int d = dimensions, n = data.Length / d;
        if (n <= d)
            throw new DegenerateDataException($"data has {n} point(s) in {d} dimension(s); a Gaussian KDE needs at least d + 1 = {d + 1} points for a full-rank covariance.", nameof(data));

        // Normalised weights: w_i = 1/n, or the given ones divided by their sum (after dividing by the largest, so that
        // the sum cannot overflow).
        _weights = weighted ? NormalizedWeights(weights, n) : FilledArray(n, 1.0 / n);
        double sumSquares = 0, maxWeight = 0;
        int kept = 0;
        foreach (double w in _weights)
        {
            sumSquares += w * w;
            maxWeight = Math.Max(maxWeight, w);
            if (w > 0) kept++;
        }
        if (kept <= d)
            throw new DegenerateDataException($"weights give only {kept} of the {n} point(s) a positive weight in {d} dimension(s); a Gaussian KDE needs at least d + 1 = {d + 1} weighted points for a full-rank covariance.", nameof(weights));

        // Positive weights so uneven that 1 - Σ w² rounds to 0: the weighted covariance below would divide by 0.
        if (weighted && !(1 - sumSquares > 0))
            throw new DegenerateDataException($"weights put essentially all their mass on one point (effective sample size 1 / sum(w^2) = {1 / sumSquares:R}); a Gaussian KDE needs the weight spread over at least d + 1 = {d + 1} points.", nameof(weights));

        Dimensions = d;
        Count = n;
        EffectiveSampleSize = weighted ? 1 / sumSquares : n;
        double neff = EffectiveSampleSize;
        Factor = fromRule
            ? rule == BandwidthRule.Scott
                ? Math.Pow(neff, -1.0 / (d + 4))
                : Math.Pow(neff * (d + 2) / 4.0, -1.0 / (d + 4))
            : bandwidthFactor;

        // Points with positive weight, in input order: the kernels.
        _data = new double[kept * d];
        var keptWeights = new double[kept];
        for (int i = 0, j = 0; i < n; i++)
        {
            if (!(_weights[i] > 0)) continue;
            data.Slice(i * d, d).CopyTo(_data.AsSpan(j * d, d));
            keptWeights[j++] = _weights[i];
        }
        if (weighted)
        {
            _cumulative = new double[kept];
            double running = 0;
            for (int j = 0; j < kept; j++) _cumulative[j] = running += keptWeights[j];
        }

        _center = new double[d];
        if (weighted)
        {
            for (int j = 0; j < kept; j++)
                for (int k = 0; k < d; k++) _center[k] += keptWeights[j] * _data[j * d + k];
        }
        else
        {
            for (int i = 0; i < n; i++)
                for (int k = 0; k < d; k++) _center[k] += data[i * d + k];
            for (int k = 0; k < d; k++) _center[k] /= n;
        }

        // Data covariance accumulated in double from centred values: ddof 1 (unweighted) or scipy's weighted form
        // Σ w (x − μ)(x − μ)ᵀ / (1 − Σ w²), which equals the ddof-1 covariance when all weights are 1/n.
        var cov = new double[d * d];
        var row = new double[d];
        for (int j = 0; j < kept; j++)
        {
            double w = weighted ? keptWeights[j] : 1;
            for (int k = 0; k < d; k++) row[k] = _data[j * d + k] - _center[k];
            for (int a = 0; a < d; a++)
                for (int b = 0; b <= a; b++) cov[a * d + b] += w * row[a] * row[b];
        }
        double divisor = weighted ? 1 - sumSquares : n - 1;
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                cov[a * d + b] /= divisor;
                cov[b * d + a] = cov[a * d + b];
            }
            if (!(cov[a * d + a] > 0))
                throw new DegenerateDataException($"data has zero variance in dimension {a}: all {kept} point(s) with positive weight share the value {_center[a]}. Drop that dimension or add variability before estimating a density.", nameof(data));
        }

        double f2 = Factor * Factor;
        _kernelCovariance = new double[d * d];
        for (int i = 0; i < d * d; i++) _kernelCovariance[i] = cov[i] * f2;

        // Cholesky of the kernel covariance; pivots measure the variance not explained by earlier dimensions.
        var kernel = Matrix<double>.Build.Dense(d, d, (a, b) => _kernelCovariance[a * d + b]);
        Matrix<double> lower;
        try
        {
            lower = kernel.Cholesky().Factor;
        }
        catch (ArgumentException)
        {
            throw Singular(kept, d);
        }
        for (int k = 0; k < d; k++)
        {
            double pivot = lower[k, k];
            if (!(pivot * pivot > SingularPivotFraction * _kernelCovariance[k * d + k]) || !double.IsFinite(pivot))
                throw Singular(kept, d);
        }
        Matrix<double> inverse = lower.Inverse();
        _cholesky = new double[d * d];
        _whitenT = new double[d * d];
        double logDet = 0;
        for (int a = 0; a < d; a++)
        {
            logDet += Math.Log(lower[a, a]);
            for (int b = 0; b <= a; b++)
            {
                _cholesky[a * d + b] = lower[a, b];
                _whitenT[a * d + b] = inverse[a, b];
            }
        }
        // log of the Gaussian normaliser (2π)^(-d/2) |K|^(-1/2) times the largest weight (1/n for equal weights); the
        // other weights enter relative to it through the per-point offsets.
        _logNorm = -0.5 * d * Math.Log(2 * Math.PI) - logDet + (weighted ? Math.Log(maxWeight) : -Math.Log(n));

        // Whitened points, point-major with the weight offset as an extra column, then grouped into leaves of a
        // median-split partition (a k-d tree's leaves) of the d coordinates.
        int width = d + 1;
        var white = new double[kept * width];
        for (int j = 0; j < kept; j++)
        {
            Whiten(_data.AsSpan(j * d, d), row, white.AsSpan(j * width, d));
            white[j * width + d] = weighted ? Math.Max(0, -2 * Math.Log(keptWeights[j] / maxWeight)) : 0;
        }
        Partition(white, d, width, 0, kept);
        var leaves = new List<(int Start, int End)>();
        ListLeaves(0, kept, leaves);

        _leafStart = new int[leaves.Count + 1];
        for (int l = 0; l < leaves.Count; l++)
            _leafStart[l + 1] = _leafStart[l] + (leaves[l].End - leaves[l].Start + Pad - 1) / Pad * Pad;
        _stride = _leafStart[leaves.Count];
        _whitened = new double[d * _stride];
        _offset = new double[_stride];
        // Padding points sit at +∞: their squared distance is +∞ and their kernel value exactly 0.
        _whitened.AsSpan().Fill(double.PositiveInfinity);
        _leafLow = new double[leaves.Count * d];
        _leafHigh = new double[leaves.Count * d];
        _leafLow.AsSpan().Fill(double.PositiveInfinity);
        _leafHigh.AsSpan().Fill(double.NegativeInfinity);
        for (int l = 0; l < leaves.Count; l++)
        {
            for (int j = leaves[l].Start; j < leaves[l].End; j++)
            {
                int slot = _leafStart[l] + j - leaves[l].Start;
                _offset[slot] = white[j * width + d];
                for (int k = 0; k < d; k++)
                {
                    double v = white[j * width + k];
                    _whitened[k * _stride + slot] = v;
                    _leafLow[l * d + k] = Math.Min(_leafLow[l * d + k], v);
                    _leafHigh[l * d + k] = Math.Max(_leafHigh[l * d + k], v);
                }
            }
        }
        // A kernel whose (offset) squared distance exceeds the nearest one's by more than the cutoff weighs less than
        // e^-37 / m relative to the nearest kernel, so all skipped kernels together change the sum by < 1e-16.
        _cutoff = 2 * (Math.Log(kept) + 37);
    }

    private static double[] FilledArray(int length, double value)
    {
        var array = new double[length];
        array.AsSpan().Fill(value);
        return array;
    }

    // The weights checked (length n, finite, ≥ 0, not all 0) and scaled to sum to 1.
    internal static double[] NormalizedWeights(ReadOnlySpan<double> weights, int n)
    {
        if (weights.Length != n)
            throw new ArgumentException($"weights has length {weights.Length}; expected one weight per data point, {n}.", nameof(weights));
        double max = 0;
        for (int i = 0; i < n; i++)
        {
            double w = weights[i];
            if (!double.IsFinite(w))
                throw new ArgumentException($"weights[{i}] is {w}; expected finite weights.", nameof(weights));
            if (w < 0)
                throw new ArgumentException($"weights[{i}] is {w}; expected weights >= 0.", nameof(weights));
            max = Math.Max(max, w);
        }
        if (!(max > 0))
            throw new ArgumentException($"all {n} weights are 0; expected at least one positive weight.", nameof(weights));
        var result = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += result[i] = weights[i] / max;
        for (int i = 0; i < n; i++) result[i] /= sum;
        return result;
    }

    // The leaves Partition produces, in order: halves at the midpoint until at most LeafSize points remain.
    private static void ListLeaves(int start, int end, List<(int Start, int End)> leaves)
    {
        if (end - start <= LeafSize)
        {
            leaves.Add((start, end));
            return;
        }
        int mid = start + (end - start) / 2;
        ListLeaves(start, mid, leaves);
        ListLeaves(mid, end, leaves);
    }

    // Recursively reorders the points white[start..end) (rows of width values, the first d of them coordinates) by
    // splitting at the median of the widest coordinate until leaves hold at most LeafSize points. Large halves are reordered in parallel; each half's
    // result depends only on its own contents, so the layout is the same for any thread count.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Partition(double[] white, int d, int width, int start, int end)
    {
        if (end - start <= LeafSize) return;
        int dim = 0;
        double widest = -1;
        for (int k = 0; k < d; k++)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            for (int j = start; j < end; j++)
            {
                double v = white[j * width + k];
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
            if (hi - lo > widest)
            {
                widest = hi - lo;
                dim = k;
            }
        }
        int mid = start + (end - start) / 2;
        Select(white, width, dim, start, end - 1, mid);
        if (end - start >= ParallelPartitionSize)
        {
            Parallel.Invoke(() => Partition(white, d, width, start, mid), () => Partition(white, d, width, mid, end));
        }
        else
        {
            Partition(white, d, width, start, mid);
            Partition(white, d, width, mid, end);
        }
    }

    // Quickselect (Hoare partition, median-of-three pivot) on the rows (width values each) of white: afterwards row target holds the point
    // whose coordinate dim ranks target-th within rows left..right, with no larger one before it and no smaller after.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Select(double[] white, int width, int dim, int left, int right, int target)
    {
        while (right > left)
        {
            double a = white[left * width + dim], b = white[(left + right) / 2 * width + dim], c = white[right * width + dim];
            double pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            int i = left, j = right;
            while (i <= j)
            {
                while (white[i * width + dim] < pivot) i++;
                while (white[j * width + dim] > pivot) j--;
                if (i <= j)
                {
                    for (int k = 0; k < width; k++) (white[i * width + k], white[j * width + k]) = (white[j * width + k], white[i * width + k]);
                    i++;
                    j--;
                }
            }
            if (target <= j) right = j;
            else if (target >= i) left = i;
            else return;
        }
    }

    private static DegenerateDataException Singular(int n, int d) =>
        new($"The covariance of the {n} points in {d} dimensions is singular: the points lie on a lower-dimensional subspace (for example two perfectly correlated coordinates). Project onto the directions that vary (e.g. principal components) before estimating a density.", "data");

    /// <summary>d, the number of coordinates per point.</summary>
    public int Dimensions { get; }

    /// <summary>The estimator's name in reports: <c>gaussian_kde</c>.</summary>
    public string Estimator => "gaussian_kde";

    /// <summary>n, the number of data points given (points of weight 0 included; they carry no kernel).</summary>
    public int Count { get; }

    /// <summary>
    /// The effective sample size n_eff = 1 / Σ w_i² of the normalised weights (scipy's <c>neff</c>); equals
    /// <see cref="Count"/> for an unweighted estimate and lies in [1, n] otherwise. Scott's and Silverman's rules use it in place of n.
    /// </summary>
    public double EffectiveSampleSize { get; }

    /// <summary>The normalised weights, shape [n] in the order of the data, summing to 1 (1/n each when the estimate is
    /// unweighted). A fresh copy on each call.</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>The bandwidth factor (scipy's <c>factor</c>): the kernel standard deviations are the data standard deviations times this.</summary>
    public double Factor { get; }

    /// <summary>The kernel covariance, shape [d, d] row-major: data covariance (ddof 1; for a weighted estimate
    /// Σ w_i (x_i − μ)(x_i − μ)ᵀ / (1 − Σ w_i²)) × <see cref="Factor"/>². A fresh copy on each call.</summary>
    public double[] KernelCovariance => (double[])_kernelCovariance.Clone();

    /// <summary>
    /// Density at each query point: Σ_i w_i (2π)^(-d/2) |K|^(-1/2) exp(−½ (x − x_i)ᵀ K⁻¹ (x − x_i)) with the normalised
    /// weights w_i (1/n when unweighted), as <c>gaussian_kde.evaluate</c>. Underflows to 0 far from the data; use <see cref="LogEvaluate"/> there.
    /// </summary>
    /// <param name="points">Query points, shape [m, d] row-major, finite; m may be 0.</param>
    /// <returns>Densities, shape [m], in units of 1 / (unit of x)^d.</returns>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value.</exception>
    public double[] Evaluate(ReadOnlySpan<double> points)
    {
        double[] result = LogEvaluate(points);
        for (int i = 0; i < result.Length; i++) result[i] = Math.Exp(result[i]);
        return result;
    }

    /// <summary>Checks query points ([m, d] row-major, finite) and returns them whitened, [m, d].</summary>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value (ParamName "points").</exception>
    private double[] WhitenedQueries(ReadOnlySpan<double> points)
    {
        int d = Dimensions;
        if (points.Length % d != 0)
            throw new ArgumentException($"points has length {points.Length}, which is not a multiple of dimensions = {d}; expected shape [m, {d}].", nameof(points));
        Guard.AllFinite(points, nameof(points));
        int m = points.Length / d;
        var queries = new double[m * d];
        var row = new double[d];
        for (int i = 0; i < m; i++) Whiten(points.Slice(i * d, d), row, queries.AsSpan(i * d, d));
        return queries;
    }

    /// <summary>destination = L⁻¹ (x − center), L the Cholesky factor of the kernel covariance; <paramref name="row"/> is [d] scratch.</summary>
    private void Whiten(ReadOnlySpan<double> x, Span<double> row, Span<double> destination)
    {
        int d = Dimensions;
        for (int k = 0; k < d; k++) row[k] = x[k] - _center[k];
        for (int a = 0; a < d; a++)
        {
            double s = 0;
            for (int b = 0; b <= a; b++) s += _whitenT[a * d + b] * row[b];
            destination[a] = s;
        }
    }

    /// <summary>
    /// Natural log of the density at each query point (<c>gaussian_kde.logpdf</c>), computed with a log-sum-exp
    /// shifted by the nearest kernel, so it is finite (roughly −½ × squared whitened distance to the nearest data
    /// point) even where <see cref="Evaluate"/> underflows to 0. Where that squared distance itself overflows a double
    /// (queries about 1e154 kernel widths from every point) the result is −∞, never NaN.
    /// </summary>
    /// <param name="points">Query points, shape [m, d] row-major, finite; m may be 0.</param>
    /// <returns>Log densities, shape [m].</returns>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value.</exception>
    public double[] LogEvaluate(ReadOnlySpan<double> points)
    {
        int d = Dimensions;
        double[] queries = WhitenedQueries(points);
        int m = queries.Length / d;
        var result = new double[m];
        if (m == 0) return result;
        int grain = Math.Max(1, Math.Min(64, m / (4 * Environment.ProcessorCount)));
        int leaves = _leafStart.Length - 1;
        if (m <= grain)
        {
            var bounds = new double[leaves];
            for (int i = 0; i < m; i++) result[i] = LogDensityWhitened(queries.AsSpan(i * d, d), bounds);
        }
        else
        {
            Parallel.ForEach(Partitioner.Create(0, m, grain), range =>
            {
                var bounds = new double[leaves];
                for (int i = range.Item1; i < range.Item2; i++) result[i] = LogDensityWhitened(queries.AsSpan(i * d, d), bounds);
            });
        }
        return result;
    }

    /// <summary>
    /// The score (gradient of the log density) at each query point: with kernel covariance K, point weights w_i and
    /// kernel responsibilities r_i(x) = w_i N(x; x_i, K) / Σ_j w_j N(x; x_j, K), ∇ log p(x) = K⁻¹ (Σ_i r_i(x) x_i − x), i.e.
    /// K⁻¹ times the offset from x to the responsibility-weighted mean of the data. This is the KDE estimate of ∇ log p that the theory compares with
    /// a network's autonomous drift (THEORY.md, prediction 3, "Denoising alignment"). The responsibilities are computed
    /// relative to the nearest (weight-offset) kernel, so the score stays finite far from the data (where it tends to
    /// K⁻¹ (x_nearest − x)).
    /// Kernels skipped by the same cutoff as <see cref="LogEvaluate"/> weigh less than 1e-16 of the total. Scalar
    /// loops, parallel over queries; each query is computed by one thread in a fixed order.
    /// </summary>
    /// <param name="points">Query points, shape [m, d] row-major, finite; m may be 0.</param>
    /// <returns>Scores, shape [m, d] row-major, in units of 1 / (unit of x).</returns>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value.</exception>
    public double[] Score(ReadOnlySpan<double> points)
    {
        int d = Dimensions;
        double[] queries = WhitenedQueries(points);
        int m = queries.Length / d;
        var result = new double[m * d];
        if (m == 0) return result;
        int leaves = _leafStart.Length - 1;
        int grain = Math.Max(1, Math.Min(64, m / (4 * Environment.ProcessorCount)));
        Parallel.ForEach(Partitioner.Create(0, m, grain), range =>
        {
            var bounds = new double[leaves];
            var gradient = new double[d];
            for (int i = range.Item1; i < range.Item2; i++)
            {
                ScoreWhitened(queries.AsSpan(i * d, d), bounds, gradient);
                // log p(x) = log p_y(L⁻¹ (x − mean)) + const, so ∇_x = L⁻ᵀ ∇_y.
                for (int b = 0; b < d; b++)
                {
                    double s = 0;
                    for (int a = b; a < d; a++) s += _whitenT[a * d + b] * gradient[a];
                    result[i * d + b] = s;
                }
            }
        });
        return result;
    }

    // ∇_y log Σ_j exp(−½ (|y − y_j|² + o_j)) = Σ_j r_j (y_j − y) / Σ_j r_j at one whitened query (o_j the weight offset),
    // with the terms r_j kept relative to the smallest offset squared distance seen so far (rescaled when a closer one appears).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreWhitened(ReadOnlySpan<double> query, Span<double> bounds, Span<double> gradient)
    {
        int d = query.Length, leaves = _leafStart.Length - 1;
        int first = 0;
        for (int l = 0; l < leaves; l++)
        {
            double lb = 0;
            for (int k = 0; k < d; k++)
            {
                double gap = Math.Max(0, Math.Max(_leafLow[l * d + k] - query[k], query[k] - _leafHigh[l * d + k]));
                lb += gap * gap;
            }
            bounds[l] = lb;
            if (lb < bounds[first]) first = l;
        }
        double shift = double.PositiveInfinity;
        for (int j = _leafStart[first]; j < _leafStart[first + 1]; j++)
        {
            if (double.IsPositiveInfinity(_whitened[j])) continue;
            shift = Math.Min(shift, SquaredDistance(query, j));
        }
        gradient.Clear();
        double sum = 0;
        for (int pass = 0; pass < leaves; pass++)
        {
            int l = pass == 0 ? first : pass <= first ? pass - 1 : pass;
            if (bounds[l] > shift + _cutoff) continue;
            for (int j = _leafStart[l]; j < _leafStart[l + 1]; j++)
            {
                if (double.IsPositiveInfinity(_whitened[j])) continue; // padding
                double d2 = SquaredDistance(query, j);
                if (d2 < shift)
                {
                    double rescale = Math.Exp(-0.5 * (shift - d2));
                    sum *= rescale;
                    for (int k = 0; k < d; k++) gradient[k] *= rescale;
                    shift = d2;
                }
                double w = Math.Exp(-0.5 * (d2 - shift));
                sum += w;
                for (int k = 0; k < d; k++) gradient[k] += w * (_whitened[k * _stride + j] - query[k]);
            }
        }
        for (int k = 0; k < d; k++) gradient[k] /= sum;
    }

    // |query − y_slot|² + the slot's weight offset.
    private double SquaredDistance(ReadOnlySpan<double> query, int slot)
    {
        double d2 = _offset[slot];
        for (int k = 0; k < query.Length; k++)
        {
            double diff = query[k] - _whitened[k * _stride + slot];
            d2 += diff * diff;
        }
        return d2;
    }

    /// <summary>
    /// Draws points from the estimate, as <c>gaussian_kde.resample</c>: each draw picks a data point at random with
    /// probability equal to its normalised weight (uniformly when unweighted) and adds a N(0, <see cref="KernelCovariance"/>) offset. Uses xoshiro256** seeded by
    /// <paramref name="seed"/> and Box-Muller normals; the same seed gives the same points (the stream differs from numpy's).
    /// </summary>
    /// <param name="count">Number of points to draw; &gt; 0.</param>
    /// <param name="seed">Any 64-bit seed.</param>
    /// <returns>Points, shape [count, d] row-major.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> ≤ 0.</exception>
    public double[] Resample(int count, ulong seed)
    {
        Guard.Positive(count);
        int d = Dimensions;
        var rng = new Xoshiro256(seed);
        var result = new double[count * d];
        var z = new double[d];
        double spare = 0;
        bool haveSpare = false;
        for (int i = 0; i < count; i++)
        {
            // Unweighted: a uniform index by the multiply-high method (bias ≤ n / 2^64, far below any sampling error).
            // Weighted: the first point whose running weight sum exceeds a uniform draw on [0, total).
            int index = _cumulative is null
                ? (int)Math.BigMul(rng.NextUInt64(), (ulong)Count, out _)
                : PickWeighted((rng.NextUInt64() >> 11) * (1.0 / 9007199254740992.0));
            for (int k = 0; k < d; k++)
            {
                if (haveSpare)
                {
                    z[k] = spare;
                    haveSpare = false;
                    continue;
                }
                double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0); // (0, 1]
                double u2 = (rng.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
                double radius = Math.Sqrt(-2.0 * Math.Log(u1));
                (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
                z[k] = radius * cos;
                spare = radius * sin;
                haveSpare = true;
            }
            for (int a = 0; a < d; a++)
            {
                double s = _data[index * d + a];
                for (int b = 0; b <= a; b++) s += _cholesky[a * d + b] * z[b];
                result[i * d + a] = s;
            }
        }
        return result;
    }

    // Index of the first kept point whose running weight sum exceeds u × total, for u in [0, 1).
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

    // Log density at one whitened query: logNorm + log Σ_i exp(−½ (|q − y_i|² + o_i)), o_i = −2 ln(w_i / max w). The sum is kept relative to the smallest
    // squared distance seen so far (rescaled whenever a leaf brings a closer point). The leaf nearest to the query goes
    // first, so that the shift is right early, and leaves whose bounding box is farther than the shift plus the cutoff
    // are skipped (their kernels are below 1e-16 of the sum). The order depends only on the query, never on threads.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LogDensityWhitened(ReadOnlySpan<double> query, Span<double> bounds)
    {
        int d = query.Length, leaves = _leafStart.Length - 1;
        // A finite query near the end of the double range can whiten to ±∞ or NaN (∞ − ∞): it is farther from every
        // point than any kernel reaches.
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(query)) return double.NegativeInfinity;
        int first = 0;
        for (int l = 0; l < leaves; l++)
        {
            double lb = 0;
            for (int k = 0; k < d; k++)
            {
                double gap = Math.Max(0, Math.Max(_leafLow[l * d + k] - query[k], query[k] - _leafHigh[l * d + k]));
                lb += gap * gap;
            }
            bounds[l] = lb;
            if (lb < bounds[first]) first = l;
        }
        // The nearest leaf: exact minimum first (two passes), so the shift is a real squared distance.
        Span<double> dist = stackalloc double[_leafStart[first + 1] - _leafStart[first]];
        double minDist = SquaredDistances(query, _leafStart[first], dist);
        // A query so far from the data (about 1e154 kernel widths and more) that its squared whitened distance to the
        // nearest point overflows (or its whitened coordinates did): every kernel is 0 to within the range of a double.
        if (!double.IsFinite(minDist)) return double.NegativeInfinity;
        double sum = SumShiftedExp(dist, minDist);
        for (int l = 0; l < leaves; l++)
        {
            if (l == first || bounds[l] > minDist + _cutoff) continue;
            // Other leaves in one fused pass relative to the current shift; a leaf holding a point much closer than
            // the shift (terms up to e^650 or more) is summed again relative to its own minimum.
            double leafSum = LeafSum(query, l, minDist, out double leafMin);
            if (leafMin < minDist)
            {
                double rescale = Math.Exp(-0.5 * (minDist - leafMin));
                leafSum = minDist - leafMin > OverflowGuard || !double.IsFinite(leafSum)
                    ? LeafSum(query, l, leafMin, out _)
                    : leafSum * rescale;
                sum *= rescale;
                minDist = leafMin;
            }
            sum += leafSum;
        }
        return _logNorm + Math.Log(sum) - 0.5 * minDist;
    }

    // Σ_j exp(−½ (|q − y_j|² + o_j − shift)) over the points of one leaf, in one pass (o_j the weight offset); also the
    // leaf's smallest offset squared distance.
    private double LeafSum(ReadOnlySpan<double> query, int leaf, double shift, out double leafMin) =>
        GaussianKernelSums.LeafSum(query, _whitened, _stride, _offset, _leafStart[leaf], _leafStart[leaf + 1], shift, out leafMin, Tier);

    // dist[j] = o[start + j] + Σ_k (query[k] − y_k[start + j])²; returns min_j dist[j]. length is a multiple of Pad.
    private double SquaredDistances(ReadOnlySpan<double> query, int start, Span<double> dist) =>
        GaussianKernelSums.SquaredDistances(query, _whitened, _stride, _offset, start, dist, Tier);

    // Σ_j exp(−½ (dist[j] − shift)), in a fixed order for a given ISA tier.
    private double SumShiftedExp(ReadOnlySpan<double> dist, double shift) => GaussianKernelSums.SumShiftedExp(dist, shift, Tier);
}

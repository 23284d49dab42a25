using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using NoisyRnn.Kernels;

namespace NoisyRnn.Analysis;

/// <summary>
/// A fitted principal component analysis: the data mean, the principal axes sorted by decreasing variance and the
/// variance each explains, with the meaning of scikit-learn's <c>PCA().fit(data)</c> attributes (<c>mean_</c>,
/// <c>components_</c>, <c>explained_variance_</c>, <c>explained_variance_ratio_</c>).
/// </summary>
public sealed class PcaResult
{
    private readonly double[] _mean;
    private readonly double[] _components;

    internal PcaResult(int dimensions, int count, double[] mean, double[] explainedVariance, double[] components)
    {
        Dimensions = dimensions;
        Count = count;
        _mean = mean;
        _components = components;
        Mean = (double[])mean.Clone();
        Components = (double[])components.Clone();
        ExplainedVariance = explainedVariance;
        double total = 0;
        foreach (double v in explainedVariance) total += v;
        ExplainedVarianceRatio = Array.ConvertAll(explainedVariance, v => v / total);
    }

    /// <summary>d, the data dimension (and the number of components kept: all of them).</summary>
    public int Dimensions { get; }

    /// <summary>n, the number of samples the fit used.</summary>
    public int Count { get; }

    /// <summary>Per-feature mean of the data, shape [d].</summary>
    public double[] Mean { get; }

    /// <summary>
    /// Variance of the data along each component (eigenvalues of the ddof-1 covariance, tiny negative rounding
    /// clipped to 0), shape [d], decreasing; scikit-learn's <c>explained_variance_</c>. Beyond rank n − 1 the values are ≈ 0.
    /// </summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Each component's share of the total variance (trace of the covariance), shape [d]; sums to 1. scikit-learn's <c>explained_variance_ratio_</c>.</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>
    /// Principal axes as unit rows, shape [d components, d features] row-major, in order of decreasing variance.
    /// Sign convention (eigenvectors are defined up to sign): each row's entry of largest magnitude is positive
    /// (the first such entry on ties), the rule scikit-learn's <c>svd_flip</c> applies to <c>components_</c> in recent versions.
    /// Editing this array does not change <see cref="Project"/>.
    /// </summary>
    public double[] Components { get; }

    /// <summary>Coordinates of points in the leading components: (x − mean) · componentᵀ for the first <paramref name="components"/> axes, as scikit-learn's <c>transform</c> (no whitening).</summary>
    /// <param name="data">Points, shape [m, d] row-major, finite; m may be 0.</param>
    /// <param name="components">How many leading components to keep; 1 ≤ components ≤ d.</param>
    /// <returns>Scores, shape [m, components] row-major.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="components"/> out of range.</exception>
    /// <exception cref="ArgumentException">Length not a multiple of d, or a non-finite value.</exception>
    public double[] Project(ReadOnlySpan<float> data, int components)
    {
        int d = Dimensions;
        if (components < 1 || components > d)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be in [1, {d}].");
        if (data.Length % d != 0)
            throw new ArgumentException($"data has length {data.Length}, which is not a multiple of {d}; expected shape [m, {d}].", nameof(data));
        Guard.AllFinite(data, nameof(data));
        int m = data.Length / d;
        var result = new double[m * components];
        var centred = new double[d];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> row = data.Slice(i * d, d);
            for (int k = 0; k < d; k++) centred[k] = row[k] - _mean[k];
            for (int c = 0; c < components; c++)
                result[i * components + c] = TensorPrimitives.Dot<double>(centred, _components.AsSpan(c * d, d));
        }
        return result;
    }
}

/// <summary>
/// Principal component analysis by eigendecomposition of the sample covariance (ddof 1), giving the same axes and
/// explained-variance ratios as scikit-learn's <c>PCA().fit</c> (which uses an SVD of the centred data). Used to
/// look at hidden-state manifolds in a few dimensions and to estimate scores in the top components.
/// </summary>
public static class Pca
{
    // Rows of data per covariance block: the transposed, centred block (d × Rows doubles) stays in L2.
    private const int Rows = 128;

    /// <summary>
    /// Fits the PCA: per-feature mean, covariance accumulated in double with a blocked, vectorised, parallel
    /// Xᵀ X (each covariance entry summed by one thread in a fixed order, so the result does not depend on the
    /// thread count), then MathNet's symmetric eigendecomposition, sorted by decreasing eigenvalue.
    /// </summary>
    /// <param name="data">Samples, shape [count, dims] row-major, finite.</param>
    /// <param name="count">n, number of samples; ≥ 2.</param>
    /// <param name="dims">d, features per sample; ≥ 1.</param>
    /// <returns>The fitted result with all d components.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 2 or <paramref name="dims"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">Length differs from count × dims, or a non-finite value.</exception>
    /// <exception cref="DegenerateDataException">All samples are identical (zero total variance).</exception>
    public static PcaResult Fit(ReadOnlySpan<float> data, int count, int dims) => Fit(data, count, dims, Isa.Tier);

    // The fit with the covariance kernel forced to a given vector tier (lowered to what the hardware has): for tests.
    internal static PcaResult Fit(ReadOnlySpan<float> data, int count, int dims, IsaTier tier)
    {
        tier = Isa.Clamp(tier);
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be >= 2 for a ddof-1 covariance.");
        Guard.Positive(dims);
        Guard.Length(data.Length, (long)count * dims, nameof(data), $"[count, dims] = [{count}, {dims}]");
        Guard.AllFinite(data, nameof(data));
        int n = count, d = dims;

        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = data.Slice(i * d, d);
            for (int k = 0; k < d; k++) mean[k] += row[k];
        }
        for (int k = 0; k < d; k++) mean[k] /= n;

        double[] cov = Covariance(data, n, d, mean, tier);
        double trace = 0;
        for (int k = 0; k < d; k++) trace += cov[k * d + k];
        if (!(trace > 0))
            throw new DegenerateDataException($"data has zero total variance: all {n} samples are identical, so no principal axis is defined.", nameof(data));

        var matrix = Matrix<double>.Build.DenseOfColumnMajor(d, d, cov);
        Evd<double> evd = matrix.Evd(Symmetricity.Symmetric);
        double[] values = new double[d];
        for (int k = 0; k < d; k++) values[k] = evd.EigenValues[k].Real;
        int[] order = Enumerable.Range(0, d).OrderByDescending(k => values[k]).ThenBy(k => k).ToArray();
        Matrix<double> vectors = evd.EigenVectors;
        var variance = new double[d];
        var components = new double[d * d];
        for (int c = 0; c < d; c++)
        {
            int src = order[c];
            variance[c] = Math.Max(0, values[src]);
            int argMax = 0;
            double best = -1;
            for (int k = 0; k < d; k++)
            {
                double a = Math.Abs(vectors[k, src]);
                if (a > best)
                {
                    best = a;
                    argMax = k;
                }
            }
            double sign = vectors[argMax, src] < 0 ? -1 : 1;
            for (int k = 0; k < d; k++) components[c * d + k] = sign * vectors[k, src];
        }
        return new PcaResult(d, n, mean, variance, components);
    }

    // Covariance (ddof 1), [d, d] row-major. The centred data are transposed block by block into `block`
    // ([dPadded, Rows], zero padded), and C += Bᵀ B is formed from 4 × 4 tiles of dot products over the block rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Covariance(ReadOnlySpan<float> data, int n, int d, double[] mean, IsaTier tier)
    {
        int dp = (d + 3) / 4 * 4;
        int tiles = dp / 4;
        var acc = new double[dp * dp];
        var block = new double[dp * Rows];
        for (int r0 = 0; r0 < n; r0 += Rows)
        {
            int rows = Math.Min(Rows, n - r0);
            if (rows < Rows) Array.Clear(block);
            ReadOnlySpan<float> chunk = data.Slice(r0 * d, rows * d);
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> row = chunk.Slice(r * d, d);
                for (int k = 0; k < d; k++) block[k * Rows + r] = row[k] - mean[k];
            }
            // Tile row t owns the entries C[4t..4t+3, 4t..dp): each written by exactly one thread.
            Parallel.For(0, tiles, t => AccumulateTileRow(block, acc, dp, t, tier));
        }
        var cov = new double[d * d];
        for (int a = 0; a < d; a++)
        {
            for (int b = a; b < d; b++)
            {
                double v = acc[a * dp + b] / (n - 1);
                cov[a * d + b] = v;
                cov[b * d + a] = v;
            }
        }
        return cov;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateTileRow(double[] block, double[] acc, int dp, int t, IsaTier tier)
    {
        int i0 = 4 * t;
        ref double b = ref MemoryMarshal.GetArrayDataReference(block);
        Span<double> tile = stackalloc double[16];
        for (int j0 = i0; j0 < dp; j0 += 4)
        {
            if (tier == IsaTier.Vector512) DotTile512(ref b, i0, j0, tile);
            else if (tier == IsaTier.Vector256) DotTile256(ref b, i0, j0, tile);
            else DotTileScalar(block, i0, j0, tile);
            for (int a = 0; a < 4; a++)
                for (int c = 0; c < 4; c++) acc[(i0 + a) * dp + j0 + c] += tile[a * 4 + c];
        }
    }

    // tile[a*4+c] = Σ_r block[i0+a, r] · block[j0+c, r] over the Rows columns of the block (512-bit tier).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile512(ref double b, int i0, int j0, Span<double> tile)
    {
        Vector512<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<double> s30 = default, s31 = default, s32 = default, s33 = default;
        nuint ia = (nuint)(i0 * Rows), ja = (nuint)(j0 * Rows);
        for (nuint r = 0; r < Rows; r += (nuint)Vector512<double>.Count)
        {
            var x0 = Vector512.LoadUnsafe(ref b, ia + r);
            var x1 = Vector512.LoadUnsafe(ref b, ia + Rows + r);
            var x2 = Vector512.LoadUnsafe(ref b, ia + 2 * Rows + r);
            var x3 = Vector512.LoadUnsafe(ref b, ia + 3 * Rows + r);
            var y0 = Vector512.LoadUnsafe(ref b, ja + r);
            var y1 = Vector512.LoadUnsafe(ref b, ja + Rows + r);
            var y2 = Vector512.LoadUnsafe(ref b, ja + 2 * Rows + r);
            var y3 = Vector512.LoadUnsafe(ref b, ja + 3 * Rows + r);
            s00 = Vector512.FusedMultiplyAdd(x0, y0, s00); s01 = Vector512.FusedMultiplyAdd(x0, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x0, y2, s02); s03 = Vector512.FusedMultiplyAdd(x0, y3, s03);
            s10 = Vector512.FusedMultiplyAdd(x1, y0, s10); s11 = Vector512.FusedMultiplyAdd(x1, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x1, y2, s12); s13 = Vector512.FusedMultiplyAdd(x1, y3, s13);
            s20 = Vector512.FusedMultiplyAdd(x2, y0, s20); s21 = Vector512.FusedMultiplyAdd(x2, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x2, y2, s22); s23 = Vector512.FusedMultiplyAdd(x2, y3, s23);
            s30 = Vector512.FusedMultiplyAdd(x3, y0, s30); s31 = Vector512.FusedMultiplyAdd(x3, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x3, y2, s32); s33 = Vector512.FusedMultiplyAdd(x3, y3, s33);
        }
        tile[0] = Vector512.Sum(s00); tile[1] = Vector512.Sum(s01); tile[2] = Vector512.Sum(s02); tile[3] = Vector512.Sum(s03);
        tile[4] = Vector512.Sum(s10); tile[5] = Vector512.Sum(s11); tile[6] = Vector512.Sum(s12); tile[7] = Vector512.Sum(s13);
        tile[8] = Vector512.Sum(s20); tile[9] = Vector512.Sum(s21); tile[10] = Vector512.Sum(s22); tile[11] = Vector512.Sum(s23);
        tile[12] = Vector512.Sum(s30); tile[13] = Vector512.Sum(s31); tile[14] = Vector512.Sum(s32); tile[15] = Vector512.Sum(s33);
    }

    // tile[a*4+c] = Σ_r block[i0+a, r] · block[j0+c, r] over the Rows columns of the block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile256(ref double b, int i0, int j0, Span<double> tile)
    {
        Vector256<double> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<double> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<double> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector256<double> s30 = default, s31 = default, s32 = default, s33 = default;
        nuint ia = (nuint)(i0 * Rows), ja = (nuint)(j0 * Rows);
        for (nuint r = 0; r < Rows; r += (nuint)Vector256<double>.Count)
        {
            var x0 = Vector256.LoadUnsafe(ref b, ia + r);
            var x1 = Vector256.LoadUnsafe(ref b, ia + Rows + r);
            var x2 = Vector256.LoadUnsafe(ref b, ia + 2 * Rows + r);
            var x3 = Vector256.LoadUnsafe(ref b, ia + 3 * Rows + r);
            var y0 = Vector256.LoadUnsafe(ref b, ja + r);
            var y1 = Vector256.LoadUnsafe(ref b, ja + Rows + r);
            var y2 = Vector256.LoadUnsafe(ref b, ja + 2 * Rows + r);
            var y3 = Vector256.LoadUnsafe(ref b, ja + 3 * Rows + r);
            s00 = Vector256.FusedMultiplyAdd(x0, y0, s00); s01 = Vector256.FusedMultiplyAdd(x0, y1, s01);
            s02 = Vector256.FusedMultiplyAdd(x0, y2, s02); s03 = Vector256.FusedMultiplyAdd(x0, y3, s03);
            s10 = Vector256.FusedMultiplyAdd(x1, y0, s10); s11 = Vector256.FusedMultiplyAdd(x1, y1, s11);
            s12 = Vector256.FusedMultiplyAdd(x1, y2, s12); s13 = Vector256.FusedMultiplyAdd(x1, y3, s13);
            s20 = Vector256.FusedMultiplyAdd(x2, y0, s20); s21 = Vector256.FusedMultiplyAdd(x2, y1, s21);
            s22 = Vector256.FusedMultiplyAdd(x2, y2, s22); s23 = Vector256.FusedMultiplyAdd(x2, y3, s23);
            s30 = Vector256.FusedMultiplyAdd(x3, y0, s30); s31 = Vector256.FusedMultiplyAdd(x3, y1, s31);
            s32 = Vector256.FusedMultiplyAdd(x3, y2, s32); s33 = Vector256.FusedMultiplyAdd(x3, y3, s33);
        }
        tile[0] = Vector256.Sum(s00); tile[1] = Vector256.Sum(s01); tile[2] = Vector256.Sum(s02); tile[3] = Vector256.Sum(s03);
        tile[4] = Vector256.Sum(s10); tile[5] = Vector256.Sum(s11); tile[6] = Vector256.Sum(s12); tile[7] = Vector256.Sum(s13);
        tile[8] = Vector256.Sum(s20); tile[9] = Vector256.Sum(s21); tile[10] = Vector256.Sum(s22); tile[11] = Vector256.Sum(s23);
        tile[12] = Vector256.Sum(s30); tile[13] = Vector256.Sum(s31); tile[14] = Vector256.Sum(s32); tile[15] = Vector256.Sum(s33);
    }

    private static void DotTileScalar(double[] block, int i0, int j0, Span<double> tile)
    {
        for (int a = 0; a < 4; a++)
        {
            for (int c = 0; c < 4; c++)
            {
                double s = 0;
                for (int r = 0; r < Rows; r++) s += block[(i0 + a) * Rows + r] * block[(j0 + c) * Rows + r];
                tile[a * 4 + c] = s;
            }
        }
    }
}

using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using NoisyRnn.Kernels;

namespace NoisyRnn.Analysis;

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

    private static void AccumulateTileRow(double[] block, double[] acc, int dp, int t, IsaTier tier)
    {
        int i0 = 4 * t;
        Span<double> tile = stackalloc double[16];
        for (int j0 = i0; j0 < dp; j0 += 4)
        {
            GramTile.Dot(block, Rows, i0, j0, tile, tier);
            for (int a = 0; a < 4; a++)
                for (int c = 0; c < 4; c++) acc[(i0 + a) * dp + j0 + c] += tile[a * 4 + c];
        }
    }
}

using System.Numerics.Tensors;

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

namespace NoisyRnn.Analysis;

/// <summary>How a <see cref="GaussianKde"/> chooses its bandwidth factor from the number of points n and the dimension d.</summary>
public enum BandwidthRule
{
    /// <summary>Scott's rule, factor = n^(-1/(d+4)); the default of scipy.stats.gaussian_kde and of the paper's analysis.</summary>
    Scott,

    /// <summary>Silverman's rule, factor = (n (d+2) / 4)^(-1/(d+4)), as scipy.stats.gaussian_kde computes it.</summary>
    Silverman,
}

namespace NoisyRnn.Analysis;

/// <summary>
/// Thrown when a data set cannot support the requested statistic: too few points for a covariance of full rank,
/// a dimension with zero variance, or dimensions so strongly correlated that the covariance is singular (the
/// points lie on a lower-dimensional subspace). The fix is usually more points, or projecting the data onto the
/// directions that actually vary (for example the top principal components) before estimating a density.
/// </summary>
public sealed class DegenerateDataException : ArgumentException
{
    /// <summary>Creates the exception with an explanation and the name of the offending parameter.</summary>
    /// <param name="message">What is degenerate and what to do about it.</param>
    /// <param name="paramName">The parameter that held the data.</param>
    public DegenerateDataException(string message, string? paramName) : base(message, paramName)
    {
    }
}

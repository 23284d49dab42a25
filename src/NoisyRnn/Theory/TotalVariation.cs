namespace NoisyRnn.Theory;

/// <summary>Total-variation distance between histograms and densities (THEORY.md prediction 1).</summary>
public static class TotalVariation
{
    /// <summary>
    /// TV = ½ Σ_k |n_k / N − P_k| between the histogram of <paramref name="samples"/> in <paramref name="bins"/> equal
    /// bins of [Low, High] and the bin probabilities P_k of <paramref name="density"/>; samples outside the range form
    /// one more bin whose predicted probability is 0. In [0, 1]. For N samples drawn from the density itself,
    /// E[TV] ≤ ½ Σ_k √(P_k (1 − P_k) / N) ≤ ½ √(bins / N).
    /// </summary>
    /// <param name="samples">Samples, [N]; finite; N ≥ 1.</param>
    /// <param name="density">The reference density.</param>
    /// <param name="bins">Number of bins; in [1, density.Count].</param>
    /// <returns>The distance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="samples"/> is empty or not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> out of range.</exception>
    public static double HistogramToDensity(ReadOnlySpan<double> samples, GridDensity density, int bins)
    {
        ArgumentNullException.ThrowIfNull(density);
        if (samples.Length == 0) throw new ArgumentException("samples must not be empty.", nameof(samples));
        Guard.AllFinite(samples, nameof(samples));
        double[] p = density.BinProbabilities(bins);
        var counts = new long[bins];
        long outside = 0;
        double low = density.Low, width = (density.High - density.Low) / bins;
        foreach (double x in samples)
        {
            double u = (x - low) / width;
            if (u < 0 || u >= bins) outside++;
            else counts[(int)u]++;
        }
        double n = samples.Length, sum = outside / n;
        for (int k = 0; k < bins; k++) sum += Math.Abs(counts[k] / n - p[k]);
        return 0.5 * sum;
    }

    /// <summary>TV = ½ Σ_k |P_k − Q_k| between the bin probabilities of two grid densities on the same range.</summary>
    /// <param name="first">One density.</param>
    /// <param name="second">The other; same Low and High as <paramref name="first"/>.</param>
    /// <param name="bins">Number of bins; in [1, min(Count)].</param>
    /// <returns>The distance, in [0, 1].</returns>
    /// <exception cref="ArgumentNullException">A density is null.</exception>
    /// <exception cref="ArgumentException">The ranges differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> out of range.</exception>
    public static double Between(GridDensity first, GridDensity second, int bins)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Low != second.Low || first.High != second.High)
            throw new ArgumentException($"second spans [{second.Low}, {second.High}]; expected the range of first, [{first.Low}, {first.High}].", nameof(second));
        double[] p = first.BinProbabilities(bins), q = second.BinProbabilities(bins);
        double sum = 0;
        for (int k = 0; k < bins; k++) sum += Math.Abs(p[k] - q[k]);
        return 0.5 * sum;
    }
}

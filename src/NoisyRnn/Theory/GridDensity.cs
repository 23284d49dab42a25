namespace NoisyRnn.Theory;

/// <summary>
/// A one-dimensional density tabulated at the midpoints of <c>Count</c> equal cells of [Low, High] and normalised so
/// that Σ value · width = 1 on that range (mass outside the range is dropped, so choose the range wide enough, or one
/// period for a circular density). Used for the predicted stationary densities of THEORY.md prediction 1.
/// </summary>
public sealed class GridDensity
{
    private readonly double[] _values;

    private GridDensity(double low, double high, double[] values)
    {
        Low = low;
        High = high;
        _values = values;
    }

    /// <summary>Left end of the range.</summary>
    public double Low { get; }

    /// <summary>Right end of the range.</summary>
    public double High { get; }

    /// <summary>Number of cells.</summary>
    public int Count => _values.Length;

    /// <summary>Width of one cell, (High − Low) / Count.</summary>
    public double CellWidth => (High - Low) / _values.Length;

    /// <summary>Density at the midpoint of each cell, [Count]; a copy.</summary>
    public double[] Values => (double[])_values.Clone();

    /// <summary>Midpoint of cell <paramref name="index"/>.</summary>
    /// <param name="index">Cell index in [0, Count).</param>
    /// <returns>Low + (index + ½) · CellWidth.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> out of range.</exception>
    public double Midpoint(int index)
    {
        if (index < 0 || index >= _values.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_values.Length}).");
        return Low + (index + 0.5) * CellWidth;
    }

    /// <summary>
    /// The tempered density π ∝ p^exponent on a grid (exponent 1: p itself), normalised numerically (midpoint rule,
    /// computed from log p with the maximum subtracted, so sharp densities do not overflow).
    /// </summary>
    /// <param name="density">p; must be one-dimensional.</param>
    /// <param name="exponent">β; finite and &gt; 0 (the stationary density of the Langevin sampler has β = 2σ²/σ_q²).</param>
    /// <param name="low">Left end; finite.</param>
    /// <param name="high">Right end; finite and &gt; low.</param>
    /// <param name="cells">Number of cells; ≥ 2.</param>
    /// <returns>The normalised grid density.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentException">The density is not one-dimensional.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public static GridDensity Tempered(IScoredDensity density, double exponent, double low, double high, int cells)
    {
        ArgumentNullException.ThrowIfNull(density);
        if (density.Dimensions != 1) throw new ArgumentException($"density has {density.Dimensions} dimensions; a grid density needs 1.", nameof(density));
        Guard.Positive(exponent);
        Guard.Finite(low);
        Guard.Finite(high);
        if (!(high > low)) throw new ArgumentOutOfRangeException(nameof(high), high, $"high must be > low = {low}.");
        if (cells < 2) throw new ArgumentOutOfRangeException(nameof(cells), cells, "cells must be >= 2.");
        double width = (high - low) / cells;
        var x = new double[cells];
        for (int i = 0; i < cells; i++) x[i] = low + (i + 0.5) * width;
        var log = new double[cells];
        density.LogDensity(x, log);
        double max = double.NegativeInfinity;
        for (int i = 0; i < cells; i++) max = Math.Max(max, exponent * log[i]);
        double sum = 0;
        for (int i = 0; i < cells; i++)
        {
            log[i] = Math.Exp(exponent * log[i] - max);
            sum += log[i];
        }
        for (int i = 0; i < cells; i++) log[i] /= sum * width;
        return new GridDensity(low, high, log);
    }

    /// <summary>The predicted stationary density of <see cref="LangevinSampler"/>: π ∝ p^(2σ²/σ_q²) on a grid.</summary>
    /// <param name="density">p; one-dimensional.</param>
    /// <param name="sigma">σ of the drift σ² ∇ log p; finite and &gt; 0.</param>
    /// <param name="quiescentSigma">σ_q; finite and &gt; 0.</param>
    /// <param name="low">Left end; finite.</param>
    /// <param name="high">Right end; &gt; low.</param>
    /// <param name="cells">Number of cells; ≥ 2.</param>
    /// <returns>The normalised grid density.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentException">The density is not one-dimensional.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public static GridDensity PredictedStationary(IScoredDensity density, double sigma, double quiescentSigma, double low, double high, int cells) =>
        Tempered(density, LangevinSampler.StationaryExponent(sigma, quiescentSigma), low, high, cells);

    /// <summary>
    /// Probability of each of <paramref name="bins"/> equal bins of [Low, High]: the mass of every cell goes to the bin
    /// holding its midpoint (exact when Count is a multiple of bins).
    /// </summary>
    /// <param name="bins">Number of bins; in [1, Count].</param>
    /// <returns>Bin probabilities, [bins]; they sum to 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bins"/> out of range.</exception>
    public double[] BinProbabilities(int bins)
    {
        if (bins < 1 || bins > _values.Length) throw new ArgumentOutOfRangeException(nameof(bins), bins, $"bins must be in [1, {_values.Length}].");
        var p = new double[bins];
        double width = CellWidth;
        for (int i = 0; i < _values.Length; i++)
        {
            int b = Math.Min(bins - 1, (int)((i + 0.5) * bins / _values.Length));
            p[b] += _values[i] * width;
        }
        return p;
    }
}

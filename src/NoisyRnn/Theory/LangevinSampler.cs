using NoisyRnn.Noise;

namespace NoisyRnn.Theory;

/// <summary>
/// The discretised quiescent dynamics of THEORY.md ("Quiescence is Langevin sampling") run on a density whose score is
/// known: r ← r + σ² ∇ log p(r) Δt + σ_q √Δt ξ, ξ ~ N(0, I), one independent chain per starting point. σ² ∇ log p is
/// the denoising drift a noise-trained network learns (σ = the training noise in continuous-time units, per-step std
/// σ √Δt); σ_q is the quiescent noise. The chain's stationary density is π ∝ p^(2σ²/σ_q²) up to an O(Δt) bias
/// (<see cref="StationaryExponent"/>, <see cref="GridDensity.Tempered"/>).
/// </summary>
/// <remarks>Chains are split into fixed blocks of <see cref="ChainsPerBlock"/>; each block has its own Gaussian stream (xoshiro256**, Box-Muller in double)
/// derived from the seed and the block index and runs all its steps on one thread, so results for a seed do not depend
/// on the thread count. The score is evaluated for a whole block at once.</remarks>
public static class LangevinSampler
{
    /// <summary>Chains per block (the unit of parallel work and of noise streams).</summary>
    public const int ChainsPerBlock = 1024;

    /// <summary>The exponent β = 2σ²/σ_q² of the predicted stationary density π ∝ p^β (THEORY.md: σ_q = √2 σ gives p, σ_q = σ gives p²).</summary>
    /// <param name="sigma">σ of the drift σ² ∇ log p; finite and &gt; 0.</param>
    /// <param name="quiescentSigma">σ_q; finite and &gt; 0.</param>
    /// <returns>β.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite and positive.</exception>
    public static double StationaryExponent(double sigma, double quiescentSigma)
    {
        Guard.Positive(sigma);
        Guard.Positive(quiescentSigma);
        return 2 * sigma * sigma / (quiescentSigma * quiescentSigma);
    }

    /// <summary>
    /// Runs the chains for <paramref name="steps"/> steps and returns their final states. Circular densities
    /// (<see cref="IScoredDensity.IsCircular"/>) have their states wrapped into [−π, π) after every step.
    /// </summary>
    /// <param name="density">p, whose score gives the drift.</param>
    /// <param name="initial">Starting states, [chains, d] row-major; finite; at least one chain.</param>
    /// <param name="sigma">σ: the drift is σ² ∇ log p; finite and ≥ 0 (0: pure diffusion).</param>
    /// <param name="quiescentSigma">σ_q, noise per unit time (per-step std σ_q √Δt); finite and ≥ 0.</param>
    /// <param name="dt">Δt; finite and &gt; 0.</param>
    /// <param name="steps">Number of steps; ≥ 0.</param>
    /// <param name="seed">Seed of the Gaussian draws.</param>
    /// <returns>Final states, [chains, d] row-major.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="density"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="initial"/> is empty, not [chains, d], or not finite.</exception>
    /// <exception cref="Models.SimulationDivergedException">A state became non-finite (Δt too large for the drift).</exception>
    public static double[] Run(IScoredDensity density, ReadOnlySpan<double> initial, double sigma, double quiescentSigma, double dt,
        int steps, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(density);
        Guard.NonNegative(sigma);
        Guard.NonNegative(quiescentSigma);
        Guard.Positive(dt);
        Guard.NonNegative(steps);
        int d = density.Dimensions;
        if (initial.Length == 0 || initial.Length % d != 0)
            throw new ArgumentException($"initial has length {initial.Length}; expected a positive multiple of d = {d} ([chains, d]).", nameof(initial));
        Guard.AllFinite(initial, nameof(initial));
        int chains = initial.Length / d;
        double[] state = initial.ToArray();
        double driftScale = sigma * sigma * dt, noiseScale = quiescentSigma * Math.Sqrt(dt);
        bool circular = density.IsCircular;
        int blocks = (chains + ChainsPerBlock - 1) / ChainsPerBlock;
        int divergedStep = int.MaxValue;
        Parallel.For(0, blocks, block =>
        {
            int start = block * ChainsPerBlock, count = Math.Min(ChainsPerBlock, chains - start);
            ulong blockSeed = SeedSequence.Block(seed, block);
            int diverged = RunBlock(density, state.AsSpan(start * d, count * d), driftScale, noiseScale, circular, steps, blockSeed);
            if (diverged >= 0)
            {
                lock (state) divergedStep = Math.Min(divergedStep, diverged);
            }
        });
        if (divergedStep != int.MaxValue) throw new Models.SimulationDivergedException(divergedStep, steps);
        return state;
    }

    // Runs one block of chains for all steps; returns the first step at which a state was not finite, or −1.
    // Optimised from the first call: under load, tiered compilation may otherwise keep this loop in unoptimised code
    // for seconds.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int RunBlock(IScoredDensity density, Span<double> x, double driftScale, double noiseScale, bool circular, int steps, ulong seed)
    {
        var score = new double[x.Length];
        var rng = new Xoshiro256(seed);
        for (int t = 0; t < steps; t++)
        {
            density.Score(x, score);
            double max = 0;
            for (int i = 0; i < x.Length; i += 2)
            {
                // Box-Muller in double from two 53-bit uniforms, u1 in (0, 1]: one pair of normals per two coordinates.
                double z0 = 0, z1 = 0;
                if (noiseScale > 0)
                {
                    double u1 = ((rng.NextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0);
                    double u2 = (rng.NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
                    double radius = Math.Sqrt(-2.0 * Math.Log(u1));
                    (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
                    z0 = radius * cos;
                    z1 = radius * sin;
                }
                for (int j = i; j < Math.Min(i + 2, x.Length); j++)
                {
                    double v = x[j] + driftScale * score[j] + noiseScale * (j == i ? z0 : z1);
                    if (circular) v -= 2 * Math.PI * Math.Floor((v + Math.PI) / (2 * Math.PI));
                    x[j] = v;
                    max = Math.Max(max, Math.Abs(v));
                }
            }
            if (!double.IsFinite(max)) return t;
        }
        return -1;
    }
}

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

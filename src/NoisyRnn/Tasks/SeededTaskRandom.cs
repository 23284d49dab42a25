using NoisyRnn.Noise;

namespace NoisyRnn.Tasks;

/// <summary>
/// A reproducible <see cref="ITaskRandom"/> built on xoshiro256** seeded through SplitMix64. The same seed gives
/// the same sequence of draws on every machine and run. The stream is not numpy's: it reproduces the reference's
/// statistics, not its exact numbers (use <see cref="Reference.ReplayTaskRandom"/> for that).
/// </summary>
/// <remarks>
/// Uniform draws use 53 random bits; normal draws use the Box-Muller transform (two draws per pair of uniforms,
/// no spare kept between calls, so each call's output depends only on the state and the count); Rayleigh draws
/// use the inverse CDF scale * sqrt(-2 ln(1 - u)). Not thread-safe: use one instance per stream.
/// </remarks>
public sealed class SeededTaskRandom : ITaskRandom
{
    private Xoshiro256 _rng;

    /// <summary>Creates a stream from a seed; any value is valid.</summary>
    /// <param name="seed">The seed; equal seeds give identical streams.</param>
    public SeededTaskRandom(ulong seed)
    {
        Seed = seed;
        _rng = new Xoshiro256(seed);
    }

    /// <summary>The seed this stream was created with.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite or <paramref name="high"/> &lt; <paramref name="low"/>.</exception>
    public void Uniform(double low, double high, Span<double> destination)
    {
        Guard.Finite(low);
        Guard.Finite(high);
        if (high < low) throw new ArgumentOutOfRangeException(nameof(high), high, $"high must be >= low ({low}).");
        double width = high - low;
        for (int i = 0; i < destination.Length; i++) destination[i] = low + width * _rng.NextDouble();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not finite or <paramref name="std"/> is negative or not finite.</exception>
    public void Normal(double mean, double std, Span<double> destination)
    {
        Guard.Finite(mean);
        Guard.NonNegative(std);
        int i = 0;
        for (; i + 1 < destination.Length; i += 2)
        {
            (double z0, double z1) = NextGaussianPair();
            destination[i] = mean + std * z0;
            destination[i + 1] = mean + std * z1;
        }
        if (i < destination.Length) destination[i] = mean + std * NextGaussianPair().Item1;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is negative or not finite.</exception>
    public void Rayleigh(double scale, Span<double> destination)
    {
        Guard.NonNegative(scale);
        for (int i = 0; i < destination.Length; i++)
        {
            double u = 1.0 - _rng.NextDouble(); // (0, 1]: the logarithm stays finite.
            destination[i] = scale * Math.Sqrt(-2.0 * Math.Log(u));
        }
    }

    private (double, double) NextGaussianPair()
    {
        double u1 = 1.0 - _rng.NextDouble(); // (0, 1]
        double u2 = _rng.NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        (double sin, double cos) = Math.SinCos(2.0 * Math.PI * u2);
        return (r * cos, r * sin);
    }
}

namespace NoisyRnn.Noise;

/// <summary>
/// The three independent noise streams of a run (input, recurrent, output). Each has its own generator so that
/// changing one noise level never changes another stream's draws.
/// </summary>
/// <param name="Input">Draws for input noise, consumed as a [batch, time, input] block per forward pass.</param>
/// <param name="Recurrent">Draws for recurrent noise, consumed as a [batch, time, hidden] block per forward pass.</param>
/// <param name="Output">Draws for readout noise, consumed as a [batch, time, output] block per forward pass.</param>
public sealed record NoiseStreams(INoiseSource Input, INoiseSource Recurrent, INoiseSource Output)
{
    /// <summary>
    /// Creates three seeded streams. Input and recurrent draws use <paramref name="distribution"/>; the output
    /// stream is always Gaussian, as in both the paper and the reference.
    /// </summary>
    /// <param name="seed">Base seed; the streams use seed*4+1, seed*4+2, seed*4+3.</param>
    /// <param name="distribution">Standard normal (paper, default) or U[0, 1) (reference-compatible).</param>
    /// <returns>Three independent streams.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="distribution"/> is not a defined value.</exception>
    public static NoiseStreams FromSeed(ulong seed, NoiseDistribution distribution = NoiseDistribution.StandardNormal) =>
        new(Source(SeedSequence.Substream(seed, 1), distribution), Source(SeedSequence.Substream(seed, 2), distribution),
            new GaussianNoiseSource(SeedSequence.Substream(seed, 3)));

    /// <summary>One seeded stream of raw draws: <see cref="GaussianNoiseSource"/> for the paper's standard normal noise,
    /// <see cref="UniformNoiseSource"/> for the reference's U[0, 1).</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal streams.</param>
    /// <param name="distribution">Standard normal (paper) or U[0, 1) (reference-compatible).</param>
    /// <returns>A new stream.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="distribution"/> is not a defined value.</exception>
    public static INoiseSource Source(ulong seed, NoiseDistribution distribution)
    {
        if (!Enum.IsDefined(distribution))
            throw new ArgumentOutOfRangeException(nameof(distribution), distribution, "distribution must be StandardNormal or Uniform01.");
        return distribution == NoiseDistribution.Uniform01 ? new UniformNoiseSource(seed) : new GaussianNoiseSource(seed);
    }
}

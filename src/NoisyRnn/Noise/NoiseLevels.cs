namespace NoisyRnn.Noise;

/// <summary>
/// Per-step noise standard deviations of a noisy RNN (THEORY.md, "Noisy dynamics"). The library's public
/// parameter is the per-step std s = sigma * sqrt(dt); the reference code calls these <c>sigma_in</c>,
/// <c>sqrt(sigma2_rec)</c> and <c>sigma_out</c>.
/// </summary>
public sealed record NoiseLevels
{
    /// <summary>Creates noise levels; all must be finite and &gt;= 0.</summary>
    /// <param name="inputStd">Std of the noise added to each input element per step (reference <c>sigma_in</c>).</param>
    /// <param name="recurrentStd">Std of the noise added to each hidden unit per step (reference <c>sqrt(sigma2_rec)</c>).</param>
    /// <param name="outputStd">Std of the noise added to each readout element (reference <c>sigma_out</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative, NaN or infinite.</exception>
    public NoiseLevels(float inputStd, float recurrentStd, float outputStd)
    {
        Guard.NonNegative(inputStd);
        Guard.NonNegative(recurrentStd);
        Guard.NonNegative(outputStd);
        InputStd = inputStd;
        RecurrentStd = recurrentStd;
        OutputStd = outputStd;
    }

    /// <summary>No noise anywhere (a noise-free network).</summary>
    public static NoiseLevels None { get; } = new(0f, 0f, 0f);

    /// <summary>Only recurrent noise, the paper's setting for the trained networks.</summary>
    /// <param name="recurrentStd">Per-step std, finite and &gt;= 0 (the paper's spatial task: sqrt(1e-4) = 0.01).</param>
    /// <returns>Noise levels with zero input and output noise.</returns>
    public static NoiseLevels Recurrent(float recurrentStd) => new(0f, recurrentStd, 0f);

    /// <summary>Per-step std of the input noise.</summary>
    public float InputStd { get; }

    /// <summary>Per-step std of the recurrent (hidden-state) noise.</summary>
    public float RecurrentStd { get; }

    /// <summary>Per-step std of the readout noise.</summary>
    public float OutputStd { get; }
}

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
        new(Source(seed * 4 + 1, distribution), Source(seed * 4 + 2, distribution), new GaussianNoiseSource(seed * 4 + 3));

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

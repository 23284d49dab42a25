namespace NoisyRnn.Noise;

/// <summary>The distribution of the raw (unscaled) draws a noise source produces.</summary>
public enum NoiseDistribution
{
    /// <summary>Zero-mean, unit-variance Gaussian draws: the paper's noise (Krishna et al. 2024, Sec. 3). The default.</summary>
    StandardNormal = 0,

    /// <summary>Uniform draws on [0, 1): what the published reference code uses for input and recurrent noise
    /// (<c>torch.rand</c>). Its mean is 1/2, so scaled noise has a bias of std/2 per step.</summary>
    Uniform01 = 1,
}

/// <summary>
/// A stream of raw noise draws. Models scale the draws by a per-step standard deviation and add them to
/// inputs, hidden states or outputs (Langevin noise injection). Each stream owns its own generator, so results
/// for a seed are reproducible and independent of thread count.
/// </summary>
public interface INoiseSource
{
    /// <summary>The distribution of the raw draws.</summary>
    NoiseDistribution Distribution { get; }

    /// <summary>Fills <paramref name="destination"/> with the next raw draws of the stream, in order.</summary>
    /// <param name="destination">Buffer to overwrite; any length, including 0.</param>
    /// <exception cref="InvalidOperationException">A replay source has fewer draws left than requested.</exception>
    void Fill(Span<float> destination);
}

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

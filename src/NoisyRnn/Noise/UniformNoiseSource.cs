namespace NoisyRnn.Noise;

/// <summary>
/// Seeded U[0, 1) draws, the distribution the published reference code uses for input and recurrent noise
/// (<c>torch.rand</c>). Only for reference-compatible runs: scaled by std s these draws have mean s/2, a
/// systematic drift the paper's analysis does not assume.
/// </summary>
public sealed class UniformNoiseSource : INoiseSource
{
    private Xoshiro256 _rng;

    /// <summary>Creates a stream from a seed.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal streams.</param>
    public UniformNoiseSource(ulong seed) => _rng = new Xoshiro256(seed);

    /// <inheritdoc />
    public NoiseDistribution Distribution => NoiseDistribution.Uniform01;

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Fill(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = _rng.NextSingle();
    }
}

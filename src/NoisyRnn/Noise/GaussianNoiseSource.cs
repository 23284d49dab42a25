using System.Numerics.Tensors;

namespace NoisyRnn.Noise;

/// <summary>
/// Seeded zero-mean, unit-variance Gaussian draws (the paper's noise). Uses xoshiro256** and a vectorised
/// Box-Muller transform (TensorPrimitives Log/Sqrt/Cos/Sin over blocks), so filling millions of draws per
/// training step costs a few milliseconds. The same seed always yields the same sequence.
/// </summary>
public sealed class GaussianNoiseSource : INoiseSource
{
    private const int Block = 1024;
    private Xoshiro256 _rng;
    private readonly float[] _u1 = new float[Block / 2];
    private readonly float[] _u2 = new float[Block / 2];
    private readonly float[] _radius = new float[Block / 2];

    /// <summary>Creates a stream from a seed.</summary>
    /// <param name="seed">Any 64-bit value; equal seeds give equal streams.</param>
    public GaussianNoiseSource(ulong seed) => _rng = new Xoshiro256(seed);

    /// <inheritdoc />
    public NoiseDistribution Distribution => NoiseDistribution.StandardNormal;

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Fill(Span<float> destination)
    {
        while (destination.Length > 0)
        {
            int pairs = Math.Min(Block / 2, (destination.Length + 1) / 2);
            Span<float> u1 = _u1.AsSpan(0, pairs), u2 = _u2.AsSpan(0, pairs), r = _radius.AsSpan(0, pairs);
            for (int i = 0; i < pairs; i++)
            {
                // One 64-bit draw gives both 24-bit uniforms; u1 in (0, 1] so that log(u1) is finite.
                ulong bits = _rng.NextUInt64();
                u1[i] = ((bits >> 40) + 1) * (1.0f / 16777216.0f);
                u2[i] = ((bits >> 8) & 0xFFFFFF) * (MathF.Tau / 16777216.0f);
            }
            TensorPrimitives.Log(u1, r);
            TensorPrimitives.Multiply(r, -2f, r);
            TensorPrimitives.Sqrt(r, r);
            int n = Math.Min(destination.Length, 2 * pairs);
            int half = n / 2;
            // First half of the block: r cos(theta); second half: r sin(theta).
            TensorPrimitives.Cos(u2[..half], u1[..half]);
            TensorPrimitives.Multiply(u1[..half], r[..half], destination[..half]);
            TensorPrimitives.Sin(u2[..(n - half)], u1[..(n - half)]);
            TensorPrimitives.Multiply(u1[..(n - half)], r[..(n - half)], destination.Slice(half, n - half));
            destination = destination[n..];
        }
    }
}

using System.Numerics;

using System.Runtime.CompilerServices;

namespace NoisyRnn.Noise;

/// <summary>xoshiro256** (Blackman and Vigna 2018) seeded through SplitMix64: small, fast and reproducible.</summary>
internal struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    public Xoshiro256(ulong seed)
    {
        ulong x = seed;
        _s0 = SeedSequence.SplitMix(ref x);
        _s1 = SeedSequence.SplitMix(ref x);
        _s2 = SeedSequence.SplitMix(ref x);
        _s3 = SeedSequence.SplitMix(ref x);
    }


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform float on [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / 16777216.0f);

    /// <summary>Uniform double on [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NoisyRnn.Noise;

/// <summary>
/// Eight independent xoshiro256** generators stepped together in one 512-bit vector per state word, so bulk noise is
/// drawn eight 64-bit values at a time. Lane j is seeded with SplitMix64 outputs 4j .. 4j + 3 of the seed, so lane 0
/// is the scalar <see cref="Xoshiro256"/> of the same seed. Only integer shifts, xors and adds are used (x * 5 and
/// x * 9 as shift-and-add), so every ISA tier, including the software fallback of Vector512, gives the same bits.
/// </summary>
internal struct Xoshiro256x8
{
    public const int Lanes = 8;

    private Vector512<ulong> _s0, _s1, _s2, _s3;

    public Xoshiro256x8(ulong seed)
    {
        Span<ulong> words = stackalloc ulong[4 * Lanes];
        ulong x = seed;
        for (int lane = 0; lane < Lanes; lane++)
        {
            for (int k = 0; k < 4; k++) words[k * Lanes + lane] = SeedSequence.SplitMix(ref x);
        }
        _s0 = Vector512.Create<ulong>(words[..Lanes]);
        _s1 = Vector512.Create<ulong>(words.Slice(Lanes, Lanes));
        _s2 = Vector512.Create<ulong>(words.Slice(2 * Lanes, Lanes));
        _s3 = Vector512.Create<ulong>(words.Slice(3 * Lanes, Lanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> RotateLeft(Vector512<ulong> v, int k) =>
        Vector512.ShiftLeft(v, k) | Vector512.ShiftRightLogical(v, 64 - k);

    /// <summary>The next 64-bit output of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<ulong> Next()
    {
        Vector512<ulong> s1 = _s1;
        Vector512<ulong> times5 = Vector512.ShiftLeft(s1, 2) + s1;
        Vector512<ulong> rotated = RotateLeft(times5, 7);
        Vector512<ulong> result = Vector512.ShiftLeft(rotated, 3) + rotated;
        Vector512<ulong> t = Vector512.ShiftLeft(s1, 17);
        _s2 ^= _s0;
        _s3 ^= s1;
        _s1 = s1 ^ _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }
}

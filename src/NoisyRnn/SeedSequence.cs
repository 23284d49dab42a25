using System.Runtime.CompilerServices;

namespace NoisyRnn;

/// <summary>
/// The one home of every seed derived from another seed. Each derivation below is used by the sites named in its
/// summary and must keep its values (results and checkpoints are reproducible from a seed): the four formulas are
/// distinct on purpose and are not interchangeable.
/// <list type="bullet">
/// <item><see cref="Derive"/>: hashed (stream, index) seeds of training and analysis (SplitMix64 finaliser chain).</item>
/// <item><see cref="Salt"/> and <see cref="Block"/>: the affine mix seed·φ + salt·c + offset of the experiment's
/// per-use salts and of the Langevin samplers' chain blocks.</item>
/// <item><see cref="Row"/>: the seed of one row of a row-wise noise fill (SplitMix64 output of a hashed row index).</item>
/// <item><see cref="Substream"/>: seed·4 + k, the three noise streams of a run.</item>
/// </list>
/// </summary>
internal static class SeedSequence
{
    public const ulong TaskStream = 0x7461736B;      // "task"
    public const ulong NoiseStream = 0x6E6F6973;     // "nois"
    public const ulong TestStream = 0x74657374;      // "test"
    public const ulong AnalysisStream = 0x616E616C;  // "anal"

    /// <summary>SplitMix64's increment, 2^64/φ (odd).</summary>
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Odd constant spreading a row index before <see cref="Row"/>'s hash (not <see cref="Golden"/>: seeds that
    /// differ by multiples of SplitMix64's own increment give generators whose lanes are shifted copies of each other).</summary>
    public const ulong RowConstant = 0xD1B54A32D192ED03UL;

    /// <summary>Multiplier of the salt in <see cref="Salt"/> and <see cref="Block"/> (SplitMix64's first finaliser constant).</summary>
    private const ulong SaltMultiplier = 0xBF58476D1CE4E5B9UL;

    /// <summary>Offset of <see cref="Block"/>.</summary>
    private const ulong BlockOffset = 0x632BE59BD9B4E019UL;

    /// <summary>
    /// Seed <paramref name="index"/> of stream <paramref name="stream"/> of a base seed: three rounds of the SplitMix64
    /// finaliser over the combination. Training step k of a run draws its batch from Derive(seed, TaskStream, k), so a
    /// resumed run sees the same batches as an uninterrupted one, whatever the thread count.
    /// </summary>
    public static ulong Derive(ulong seed, ulong stream, ulong index)
    {
        ulong z = Mix(seed + Golden);
        z = Mix(z ^ (stream * 0xD1B54A32D192ED03UL));
        return Mix(z ^ (index * 0xABC98388FB8FAC03UL + 0x8CB92BA72F3D8DD7UL));
    }

    /// <summary>seed·φ + salt·c + 1 (wrapping): the seed of one use (salt) of an experiment's base seed.</summary>
    public static ulong Salt(ulong seed, ulong salt) => unchecked(seed * Golden + salt * SaltMultiplier + 1);

    /// <summary>seed·φ + block·c + 0x632BE59BD9B4E019 (wrapping): the seed of one block of chains of a Langevin sampler.</summary>
    public static ulong Block(ulong seed, int block) => unchecked(seed * Golden + (ulong)block * SaltMultiplier + BlockOffset);

    /// <summary>The SplitMix64 output of word xor (row + 1)·<see cref="RowConstant"/>: the seed of row
    /// <paramref name="row"/> of a row-wise fill whose stream gave <paramref name="word"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Row(ulong word, int row) => Mix((word ^ ((ulong)(row + 1) * RowConstant)) + Golden);

    /// <summary>seed·4 + <paramref name="k"/> (wrapping), k in 1..3: the seeds of a run's input, recurrent and output noise.</summary>
    public static ulong Substream(ulong seed, int k) => unchecked(seed * 4 + (ulong)k);

    /// <summary>One SplitMix64 step: advances <paramref name="x"/> by <see cref="Golden"/> and returns its finalised value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SplitMix(ref ulong x) => Mix(x += Golden);

    /// <summary>The SplitMix64 finaliser (Stafford's Mix13).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

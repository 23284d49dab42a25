namespace NoisyRnn;

/// <summary>
/// Derives independent 64-bit seeds from a base seed, a stream id and an index (SplitMix64 finaliser over the
/// combination). Training step k of a run draws its batch from Derive(seed, Task, k), so a resumed run sees the
/// same batches as an uninterrupted one, whatever the thread count.
/// </summary>
internal static class SeedSequence
{
    public const ulong TaskStream = 0x7461736B;      // "task"
    public const ulong NoiseStream = 0x6E6F6973;     // "nois"
    public const ulong TestStream = 0x74657374;      // "test"
    public const ulong AnalysisStream = 0x616E616C;  // "anal"

    public static ulong Derive(ulong seed, ulong stream, ulong index)
    {
        ulong z = Mix(seed + 0x9E3779B97F4A7C15UL);
        z = Mix(z ^ (stream * 0xD1B54A32D192ED03UL));
        return Mix(z ^ (index * 0xABC98388FB8FAC03UL + 0x8CB92BA72F3D8DD7UL));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

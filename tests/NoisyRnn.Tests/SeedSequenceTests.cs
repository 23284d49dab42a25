namespace NoisyRnn.Tests;

/// <summary>
/// Every seed derivation keeps the values of the formula it replaced (written out here as it stood at its old site), so
/// runs, checkpoints and published numbers are reproducible across the consolidation.
/// </summary>
public class SeedSequenceTests
{
    private static readonly ulong[] Seeds = [0, 1, 7, 2024, 0xDEADBEEF, ulong.MaxValue - 5, ulong.MaxValue];
    private static readonly int[] Indices = [0, 1, 3, 11, 99, 1023, int.MaxValue - 1];

    private static ulong OldMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Xoshiro256.SplitMix as it was.
    private static ulong OldSplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [Fact]
    public void DeriveKeepsItsValues()
    {
        foreach (ulong seed in Seeds)
            foreach (int index in Indices)
                foreach (ulong stream in new[] { SeedSequence.TaskStream, SeedSequence.NoiseStream, SeedSequence.TestStream, SeedSequence.AnalysisStream })
                {
                    ulong z = OldMix(seed + 0x9E3779B97F4A7C15UL);
                    z = OldMix(z ^ (stream * 0xD1B54A32D192ED03UL));
                    Assert.Equal(OldMix(z ^ ((ulong)index * 0xABC98388FB8FAC03UL + 0x8CB92BA72F3D8DD7UL)), SeedSequence.Derive(seed, stream, (ulong)index));
                }
        Assert.Equal(0x4484932777932DB0UL, SeedSequence.Derive(0, SeedSequence.TaskStream, 1));
        Assert.Equal(0x971B7187AD663268UL, SeedSequence.Derive(12345, SeedSequence.NoiseStream, 2500));
    }

    [Fact]
    public void SaltKeepsTheExperimentsValues()
    {
        foreach (ulong seed in Seeds)
            foreach (int salt in Indices)
                Assert.Equal(unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)salt * 0xBF58476D1CE4E5B9UL + 1), SeedSequence.Salt(seed, (ulong)salt));
        Assert.Equal(0x38CB11B03DD5DEF4UL, SeedSequence.Salt(0, 11));
        Assert.Equal(0x8E5CB55B91FA39C6UL, SeedSequence.Salt(2024, 37));
    }

    [Fact]
    public void BlockKeepsTheLangevinSamplersValues()
    {
        foreach (ulong seed in Seeds)
            foreach (int block in Indices)
                Assert.Equal(unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)block * 0xBF58476D1CE4E5B9UL + 0x632BE59BD9B4E019UL), SeedSequence.Block(seed, block));
        Assert.Equal(0x632BE59BD9B4E019UL, SeedSequence.Block(0, 0));
        Assert.Equal(0xF4B90FF5AB6CF5D7UL, SeedSequence.Block(7, 3));
    }

    [Fact]
    public void RowKeepsTheNoiseFillsValues()
    {
        foreach (ulong word in Seeds)
            foreach (int row in Indices)
            {
                ulong x = word ^ ((ulong)(row + 1) * 0xD1B54A32D192ED03UL);
                Assert.Equal(OldSplitMix(ref x), SeedSequence.Row(word, row));
            }
        Assert.Equal(0x2D0F28C7E7E786B2UL, SeedSequence.Row(0, 0));
        Assert.Equal(0x1F805441BA2D5D83UL, SeedSequence.Row(0xDEADBEEF, 99));
    }

    [Fact]
    public void SubstreamAndSplitMixKeepTheirValues()
    {
        foreach (ulong seed in Seeds)
        {
            for (int k = 1; k <= 3; k++) Assert.Equal(unchecked(seed * 4 + (ulong)k), SeedSequence.Substream(seed, k));
            ulong a = seed, b = seed;
            for (int i = 0; i < 4; i++) Assert.Equal(OldSplitMix(ref a), SeedSequence.SplitMix(ref b));
            Assert.Equal(a, b);
        }
    }
}

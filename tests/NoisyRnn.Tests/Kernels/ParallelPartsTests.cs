using NoisyRnn.Kernels;
using NoisyRnn.Models;

namespace NoisyRnn.Tests.Kernels;

public class ParallelPartsTests
{
    private sealed class CountingParts(int parts) : GemmWorkers.IParallelParts
    {
        public readonly int[] Runs = new int[parts];
        public int Parts => parts;

        public void Run(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            Thread.SpinWait(20_000); // long enough that a helper usually joins
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 2)]
    [InlineData(3, 8)]
    public void EveryPartRunsExactlyOnce(int parts, int threads)
    {
        for (int repeat = 0; repeat < 20; repeat++)
        {
            var work = new CountingParts(parts);
            GemmWorkers.RunParts(work, threads);
            Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        }
    }

    private sealed class FailingParts : GemmWorkers.IParallelParts
    {
        public int Parts => 4;
        public void Run(int part)
        {
            if (part == 2) throw new InvalidOperationException("part 2 failed");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AFailingPartSurfacesFromTheCall(int threads)
    {
        Exception e = Assert.ThrowsAny<Exception>(() => GemmWorkers.RunParts(new FailingParts(), threads));
        Assert.Contains("part 2 failed", e.InnerException?.Message ?? e.Message);
        // The helpers are free again afterwards.
        var work = new CountingParts(2);
        GemmWorkers.RunParts(work, 2);
        Assert.All(work.Runs, runs => Assert.Equal(1, runs));
    }

    [Theory]
    [InlineData(200, 512, 100, 2, 2)]
    [InlineData(200, 128, 100, 2, 2)]
    [InlineData(8, 512, 100, 2, 1)]    // one tile: nothing to split
    [InlineData(4, 8, 10, 2, 1)]       // too small to be worth a helper
    [InlineData(200, 512, 100, 1, 1)]
    public void BatchPartsCoverTheBatchOnTileBoundaries(int batch, int hidden, int time, int threads, int expectedParts)
    {
        int parts = BatchParts.Count(batch, hidden, time, threads);
        Assert.Equal(expectedParts, parts);
        int next = 0;
        for (int part = 0; part < parts; part++)
        {
            (int start, int end) = BatchParts.Rows(batch, part, parts);
            Assert.Equal(next, start);
            Assert.True(end >= start);
            if (end < batch) Assert.Equal(0, end % Gemm.RowTile);
            next = end;
        }
        Assert.Equal(batch, next);
    }
}

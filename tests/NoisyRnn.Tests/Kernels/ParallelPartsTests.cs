using NoisyRnn.Kernels;
using NoisyRnn.Models;

namespace NoisyRnn.Tests.Kernels;

public class ParallelPartsTests
{
    private sealed class CountingParts(int parts) : WorkerPool.IParallelParts
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
            WorkerPool.RunParts(work, threads);
            Assert.All(work.Runs, runs => Assert.Equal(1, runs));
        }
    }

    private sealed class FailingParts : WorkerPool.IParallelParts
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
        // The part's own exception, whichever thread ran the part.
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.RunParts(new FailingParts(), threads));
        Assert.Equal("part 2 failed", e.Message);
        // The helpers are free again afterwards.
        var work = new CountingParts(2);
        WorkerPool.RunParts(work, 2);
        Assert.All(work.Runs, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public void CallersOnSeveralThreadsGetTheSameBitsAsOneCaller()
    {
        // One caller at a time gets the helpers; the others run alone. Deep products (depth pieces), the parallel loss
        // and the per-row noise must not mix up their per-thread state.
        const int m = 41, n = 50, k = 2 * Gemm.ChunkDepth + 1;
        var rng = new Random(8);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] a = Values(k * m), b = Values(k * n), y = Values(1 << 18), t = Values(1 << 18);
        var product = new float[m * n];
        Gemm.MultiplyTransposedA(a, b, product, m, n, k);
        double loss = NoisyRnn.Training.MseLoss.Compute(y, t, default);
        var rows = new float[1 << 16];
        new NoisyRnn.Noise.GaussianNoiseSource(9).FillRows(rows, 512);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var callers = Enumerable.Range(0, 3).Select(id => new Thread(() =>
        {
            try
            {
                for (int rep = 0; rep < 6; rep++)
                {
                    var c = new float[m * n];
                    Gemm.MultiplyTransposedA(a, b, c, m, n, k);
                    if (!c.SequenceEqual(product)) failures.Enqueue($"caller {id}, round {rep}: product");
                    if (NoisyRnn.Training.MseLoss.Compute(y, t, default) != loss) failures.Enqueue($"caller {id}, round {rep}: loss");
                    var r = new float[rows.Length];
                    new NoisyRnn.Noise.GaussianNoiseSource(9).FillRows(r, 512);
                    if (!r.SequenceEqual(rows)) failures.Enqueue($"caller {id}, round {rep}: noise rows");
                }
            }
            catch (Exception e)
            {
                failures.Enqueue($"caller {id}: {e}");
            }
        })).ToList();
        callers.ForEach(thread => thread.Start());
        callers.ForEach(thread => thread.Join());
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(200, 512, 100, 2, 8, 2, 96)]
    [InlineData(200, 512, 100, 2, 4, 2, 100)]  // half tiles: 100 / 100
    [InlineData(200, 128, 100, 2, 8, 2, 96)]
    [InlineData(8, 512, 100, 2, 8, 1, 8)]      // one tile: nothing to split
    [InlineData(8, 512, 100, 2, 4, 2, 4)]      // two half tiles
    [InlineData(4, 8, 10, 2, 4, 1, 4)]         // too small to be worth a helper
    [InlineData(200, 512, 100, 1, 4, 1, 200)]
    public void BatchPartsCoverTheBatchOnShareBoundaries(int batch, int hidden, int time, int threads, int shareRows, int expectedParts,
        int expectedFirstEnd)
    {
        int parts = BatchParts.Count(batch, hidden, time, threads, shareRows);
        Assert.Equal(expectedParts, parts);
        int next = 0;
        for (int part = 0; part < parts; part++)
        {
            (int start, int end) = BatchParts.Rows(batch, part, parts, shareRows);
            if (part == 0) Assert.Equal(expectedFirstEnd, end);
            Assert.Equal(next, start);
            Assert.True(end >= start);
            if (end < batch) Assert.Equal(0, end % shareRows);
            next = end;
        }
        Assert.Equal(batch, next);
    }
}

using NoisyRnn.Kernels;
using NoisyRnn.Tasks;

namespace NoisyRnn.Tests.Tasks;

/// <summary>
/// Long decodes are split over the cores by rows (a quiescent chunk is 20,000 rows): the decoded positions and headings
/// must be those of one thread, and of each row decoded alone (place cells: against a naive top-3 written here). 700 rows of 512 cells: above the split's
/// threshold, with ties in every tenth row.
/// </summary>
public class DecodeSplitTests
{
    private const int Rows = 700, Cells = 512;

    private static float[] Activations()
    {
        var rng = new Random(7);
        var a = new float[Rows * Cells];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble();
        for (int r = 0; r < Rows; r += 10) a.AsSpan(r * Cells, Cells).Fill(0.5f);
        return a;
    }

    private static float[] OnThreads(int threads, Func<float[]> decode)
    {
        int saved = Gemm.MaxThreads;
        try
        {
            Gemm.MaxThreads = threads;
            return decode();
        }
        finally
        {
            Gemm.MaxThreads = saved;
        }
    }

    /// <summary>Indices of the three largest values, ties to the lower index.</summary>
    private static int[] Top3(float[] row) =>
        row.Select((value, index) => (Value: value, Index: index))
            .OrderByDescending(x => x.Value).ThenBy(x => x.Index).Take(3).Select(x => x.Index).ToArray();

    [Fact]
    public void PlaceCellDecodingIsTheSameOnAnyThreadCountAndMatchesANaiveTop3()
    {
        var cells = PlaceCells.CreateRandom(Cells, 0.2, 2.2, 2.2, 3);
        float[] a = Activations();
        float[] Decode() { var d = new float[2 * Rows]; cells.Decode(a, d); return d; }
        float[] one = OnThreads(1, Decode), all = OnThreads(Math.Max(2, Environment.ProcessorCount), Decode);
        Assert.Equal(one, all);
        for (int r = 0; r < Rows; r++)
        {
            int[] top = Top3(a.AsSpan(r * Cells, Cells).ToArray());
            float[] centers = cells.Centers.ToArray();
            Assert.Equal(top.Sum(i => centers[2 * i]) / 3, all[2 * r], 1e-6f);
            Assert.Equal(top.Sum(i => centers[2 * i + 1]) / 3, all[2 * r + 1], 1e-6f);
        }
    }

    [Fact]
    public void HeadingDecodingIsTheSameOnAnyThreadCount()
    {
        var cells = new HeadDirectionCells(Cells, Math.PI / 6);
        float[] a = Activations();
        float[] Decode() { var d = new float[Rows]; cells.Decode(a, d); return d; }
        float[] one = OnThreads(1, Decode), all = OnThreads(Math.Max(2, Environment.ProcessorCount), Decode);
        Assert.Equal(one, all);
        // Each row decoded on its own (one row is below the split's threshold) gives the same heading.
        var single = new float[1];
        for (int r = 0; r < Rows; r++)
        {
            cells.Decode(a.AsSpan(r * Cells, Cells), single);
            Assert.Equal(single[0], all[r]);
        }
    }
}

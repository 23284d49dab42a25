using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// A recurrent loop of one tape (<see cref="BatchParts"/>): the sizes and cell constants come from the tape, which owns
/// the loop and every buffer it touches; <see cref="RunAll"/> splits the batch and runs <see cref="RunRows"/> for each
/// part, on up to the given number of threads.
/// </summary>
internal abstract class BatchRecurrence : WorkerPool.IParallelParts
{
    protected BatchRecurrence(RecurrentTape tape, int hiddenSize, float alpha, Activation activation)
    {
        Batch = tape.Batch;
        Time = tape.Time;
        HiddenSize = hiddenSize;
        Alpha = alpha;
        Activation = activation;
    }

    protected int Batch { get; }
    protected int Time { get; }
    protected int HiddenSize { get; }
    protected float Alpha { get; }
    protected Activation Activation { get; }

    /// <summary>ISA tier of the current run.</summary>
    protected IsaTier Tier { get; private set; }

    /// <inheritdoc />
    public int Parts { get; private set; } = 1;

    /// <summary>Parts are cut on multiples of this many rows.</summary>
    private int ShareRows { get; set; } = Gemm.RowTile;

    /// <summary>True when the loop keeps sums per 8-row tile, which a part must then hold whole (parts are cut on whole
    /// tiles instead of <see cref="Gemm.ShareRows"/>).</summary>
    protected virtual bool KeepsTileSums => false;

    /// <summary>Runs the loop for the whole batch, split over up to <paramref name="threads"/> threads.</summary>
    public void RunAll(IsaTier tier, int threads)
    {
        Tier = tier;
        ShareRows = KeepsTileSums ? Gemm.RowTile : Gemm.ShareRows(tier);
        Parts = BatchParts.Count(Batch, HiddenSize, Time, threads, ShareRows);
        WorkerPool.RunParts(this, threads);
    }

    /// <inheritdoc />
    public void Run(int part)
    {
        (int start, int end) = BatchParts.Rows(Batch, part, Parts, ShareRows);
        if (end > start) RunRows(start, end);
    }

    /// <summary>The loop for batch rows [<paramref name="start"/>, <paramref name="end"/>), all time steps.</summary>
    protected abstract void RunRows(int start, int end);

    /// <summary>Whether the loops prefetch the next step's rows (settable so that a probe can compare).</summary>
    internal static bool PrefetchRows { get; set; } = true;

    /// <summary>
    /// Asks the cache for the rows (b, <paramref name="t"/>) of a [batch, time, <paramref name="width"/>] buffer, b in
    /// [<paramref name="b0"/>, <paramref name="b1"/>), a step ahead of their use. Rows of one step lie time·width floats
    /// apart (51 KB at the paper's head-direction sizes, a new page each), a stride the hardware prefetchers do not follow,
    /// and they were written long before (the readout part of dL/dh, the pre-activations), so each would otherwise be a
    /// trip to memory in the middle of the step.
    /// </summary>
    protected unsafe void Prefetch(float[]? buffer, int b0, int b1, int t, int width)
    {
        if (buffer is null || !PrefetchRows || !System.Runtime.Intrinsics.X86.Sse.IsSupported || t < 0 || t >= Time) return;
        fixed (float* p = buffer)
        {
            for (int b = b0; b < b1; b++)
            {
                float* row = p + ((long)b * Time + t) * width;
                for (int j = 0; j < width; j += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + j);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(row + width - 1);
            }
        }
    }
}

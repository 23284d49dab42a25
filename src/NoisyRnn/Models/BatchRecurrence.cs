using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Splits a [batch, ...] recurrence into parts of whole 8-row GEMM tiles. Rows of a batch never interact inside
/// the recurrent loops of <see cref="VanillaRnn"/> and <see cref="GruRnn"/> (h_t[b] needs only h_{t-1}[b]; dh_{t-1}[b]
/// only the gradients of row b at step t), so each
/// part runs all its time steps without waiting for the others, and every row goes through the same operations
/// whatever the split: results are identical for any number of parts and threads.
/// </summary>
internal static class BatchParts
{
    /// <summary>Recurrences with fewer multiply-adds (batch·hidden²·time) than this run on the calling thread alone.</summary>
    public const long ParallelThreshold = 1L << 22;

    /// <summary>Number of parts for a recurrence of the given size on up to <paramref name="threads"/> threads.</summary>
    public static int Count(int batch, int hidden, int time, int threads)
    {
        int tiles = (batch + Gemm.RowTile - 1) / Gemm.RowTile;
        if (threads <= 1 || tiles < 2 || (long)batch * hidden * hidden * time < ParallelThreshold) return 1;
        return Math.Min(threads, tiles);
    }

    /// <summary>
    /// dW (+)= Σ_{b,t} g_t[b]ᵀ h_{t-1}[b] with h_{-1} = h_0: a recurrent weight's gradient as one product over batch·time
    /// rows. Row r + 1 of g pairs with row r of h (h_{t-1} precedes step t) except at t = 0, where the previous state is
    /// h_0: those rows of g are copied to <paramref name="aside"/> and zeroed for the big product (their pairs across
    /// trajectories then add exact zeros), multiplied with h_0 on their own, and put back.
    /// </summary>
    /// <param name="gradient">g, [batch, time, hidden]; restored on return.</param>
    /// <param name="aside">Scratch, [batch, hidden].</param>
    /// <param name="hidden">h, [batch, time, hidden].</param>
    /// <param name="initialHidden">h_0, [batch, hidden].</param>
    /// <param name="weightGradient">dW, [hidden, hidden]; accumulated into.</param>
    /// <param name="batch">Trajectories.</param>
    /// <param name="time">Steps.</param>
    /// <param name="hiddenSize">Hidden units.</param>
    /// <param name="tier">ISA tier of the products.</param>
    /// <param name="threads">Threads of the products.</param>
    public static void AddPreviousStateProduct(float[] gradient, float[] aside, float[] hidden, float[] initialHidden, Span<float> weightGradient,
        int batch, int time, int hiddenSize, IsaTier tier, int threads)
    {
        int nH = hiddenSize, rows = batch * time;
        for (int b = 0; b < batch; b++)
        {
            Span<float> first = gradient.AsSpan(b * time * nH, nH);
            first.CopyTo(aside.AsSpan(b * nH, nH));
            first.Clear();
        }
        if (rows > 1) Gemm.MultiplyStrided(gradient.AsSpan(nH), nH, true, hidden, nH, weightGradient, nH, nH, nH, rows - 1, true, tier, threads);
        Gemm.MultiplyStrided(aside, nH, true, initialHidden, nH, weightGradient, nH, nH, nH, batch, true, tier, threads);
        for (int b = 0; b < batch; b++) aside.AsSpan(b * nH, nH).CopyTo(gradient.AsSpan(b * time * nH, nH));
    }

    /// <summary>Rows [start, end) of part <paramref name="part"/> of <paramref name="parts"/>, on tile boundaries.</summary>
    public static (int Start, int End) Rows(int batch, int part, int parts)
    {
        int tiles = (batch + Gemm.RowTile - 1) / Gemm.RowTile;
        int start = Math.Min(batch, (int)((long)tiles * part / parts) * Gemm.RowTile);
        int end = Math.Min(batch, (int)((long)tiles * (part + 1) / parts) * Gemm.RowTile);
        return (start, end);
    }
}

/// <summary>
/// A recurrent loop of one tape (<see cref="BatchParts"/>): the sizes and cell constants come from the tape, which owns
/// the loop and every buffer it touches; <see cref="RunAll"/> splits the batch and runs <see cref="RunRows"/> for each
/// part, on up to the given number of threads.
/// </summary>
internal abstract class BatchRecurrence : GemmWorkers.IParallelParts
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

    /// <summary>Runs the loop for the whole batch, split over up to <paramref name="threads"/> threads.</summary>
    public void RunAll(IsaTier tier, int threads)
    {
        Tier = tier;
        Parts = BatchParts.Count(Batch, HiddenSize, Time, threads);
        GemmWorkers.RunParts(this, threads);
    }

    /// <inheritdoc />
    public void Run(int part)
    {
        (int start, int end) = BatchParts.Rows(Batch, part, Parts);
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

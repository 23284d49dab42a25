using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Splits a [batch, ...] recurrence into parts of whole 8-row GEMM tiles. Rows of a batch never interact inside
/// the recurrent loops of <see cref="VanillaRnn"/> (h_t[b] needs only h_{t-1}[b]; dh_{t-1}[b] only du_t[b]), so each
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
/// The recurrent loop of <see cref="VanillaRnn.Forward"/> for a range of batch rows: for t = 0 .. time - 1,
/// u_t += h_{t-1}·W_recᵀ (one-thread product on the packed weight), then h_t = (1 - alpha) h_{t-1} + alpha act(u_t)
/// + s xi_t row by row while the rows are in cache. Buffers are the tape's [batch, time, hidden] tensors.
/// </summary>
internal sealed class ForwardRecurrence : GemmWorkers.IParallelParts
{
    public float[] Hidden = Array.Empty<float>();
    public float[] PreActivation = Array.Empty<float>();
    public float[] InitialHidden = Array.Empty<float>();
    public float[]? Noise;
    public PackedMatrix RecurrentWeight = null!;
    public float Alpha;
    public float NoiseScale;
    public Activation Activation;
    public IsaTier Tier;
    public int Batch;
    public int Time;
    public int HiddenSize;

    /// <inheritdoc />
    public int Parts { get; set; } = 1;

    /// <inheritdoc />
    public void Run(int part)
    {
        (int b0, int b1) = BatchParts.Rows(Batch, part, Parts);
        if (b1 <= b0) return;
        int nH = HiddenSize, rowStride = Time * nH;
        for (int t = 0; t < Time; t++)
        {
            // u_t += W_rec h_{t-1}: rows (b, t) of U have stride time·hidden.
            ReadOnlySpan<float> previous = t == 0 ? InitialHidden.AsSpan(b0 * nH) : Hidden.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            Gemm.MultiplyPacked(previous, previousStride, false, RecurrentWeight, PreActivation.AsSpan((b0 * Time + t) * nH), rowStride,
                b1 - b0, true, Tier, 1);
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? InitialHidden.AsSpan(b * nH, nH) : Hidden.AsSpan(row - nH, nH);
                ReadOnlySpan<float> xi = Noise is null ? default : Noise.AsSpan(row, nH);
                Fused.LeakyUpdate(prevRow, PreActivation.AsSpan(row, nH), xi, Alpha, NoiseScale, Activation, Hidden.AsSpan(row, nH), Tier);
            }
        }
    }
}

/// <summary>
/// The recurrent loop of <see cref="VanillaRnn.Backward"/> for a range of batch rows, dh holding the readout part of
/// dL/dh_t on entry: for s = time - 1 .. 0, du_s = dh_s·alpha·act'(u_s) and the leak path (1 - alpha)·dh_s is added to
/// dh_{s-1} (to dh_0 for s = 0); then the recurrent path du_s·W_rec is added to dh_{s-1} (one-thread product).
/// The weight gradient dW_rec is left to one product over all rows afterwards. With <see cref="InputPartials"/> set,
/// each du row also goes, while in cache, into sums kept per 8-row tile: Σ du·x̃_j for every input j and, with
/// <see cref="UseBias"/>, Σ du (<see cref="AddInputGradients"/> adds the tiles up in a fixed order afterwards, so the
/// result does not depend on the split).
/// </summary>
internal sealed class BackwardRecurrence : GemmWorkers.IParallelParts
{
    /// <summary>Largest input width whose weight gradient is summed inside the loop; wider inputs use one product
    /// (settable so that tests can compare the two paths on one model).</summary>
    public static int MaxFusedInputs { get; set; } = 4;

    public float[] HiddenGradient = Array.Empty<float>();
    public float[] PreActivation = Array.Empty<float>();
    public float[] PreActivationGradient = Array.Empty<float>();
    public float[] InitialHiddenGradient = Array.Empty<float>();
    public PackedMatrix RecurrentWeight = null!;
    public float Alpha;
    public Activation Activation;
    public IsaTier Tier;
    public int Batch;
    public int Time;
    public int HiddenSize;

    /// <summary>x̃, [batch, time, input]: read when <see cref="InputPartials"/> is set.</summary>
    public float[] NoisyInput = Array.Empty<float>();
    public int InputSize;
    public bool UseBias;

    /// <summary>Per-tile sums, [tiles, input + (bias ? 1 : 0), hidden]; null to leave dW_in and db_rec to the caller.</summary>
    public float[]? InputPartials;

    /// <summary>Sums per tile: one row of hidden per input, then one for the bias.</summary>
    public int PartialRows => InputSize + (UseBias ? 1 : 0);

    /// <inheritdoc />
    public int Parts { get; set; } = 1;

    /// <summary>Adds the per-tile sums, tile after tile, into dW_in ([hidden, input]) and db_rec ([hidden], or empty).</summary>
    public void AddInputGradients(Span<float> inputWeight, Span<float> recurrentBias)
    {
        float[] partials = InputPartials ?? throw new InvalidOperationException("No per-tile sums were kept.");
        int nH = HiddenSize, nIn = InputSize, stride = PartialRows * nH;
        int tiles = (Batch + Gemm.RowTile - 1) / Gemm.RowTile;
        for (int tile = 0; tile < tiles; tile++)
        {
            ReadOnlySpan<float> sums = partials.AsSpan(tile * stride, stride);
            for (int i = 0; i < nH; i++)
            {
                for (int j = 0; j < nIn; j++) inputWeight[i * nIn + j] += sums[j * nH + i];
            }
            if (UseBias) TensorPrimitives.Add(recurrentBias, sums.Slice(nIn * nH, nH), recurrentBias);
        }
    }

    /// <inheritdoc />
    public void Run(int part)
    {
        (int b0, int b1) = BatchParts.Rows(Batch, part, Parts);
        if (b1 <= b0) return;
        int nH = HiddenSize, rowStride = Time * nH, nIn = InputSize;
        float keep = 1f - Alpha;
        float[] dh = HiddenGradient, du = PreActivationGradient;
        float[]? partials = InputPartials;
        int stride = PartialRows * nH, m = b1 - b0;
        if (partials is not null) partials.AsSpan(b0 / Gemm.RowTile * stride, ((m + Gemm.RowTile - 1) / Gemm.RowTile) * stride).Clear();
        // dL/dh_s of this part's rows, complete, lives in one of two contiguous [rows, hidden] buffers: the strided rows of
        // dh (time·hidden apart, all in the same cache sets) are only read, for their readout part, which is where the
        // leak path adds to, and the recurrent product accumulates into the contiguous buffer instead.
        float[] scratch = t_scratch is { } buffer && buffer.Length >= 2 * m * nH ? buffer : (t_scratch = new float[2 * m * nH]);
        Span<float> current = scratch.AsSpan(0, m * nH), next = scratch.AsSpan(m * nH, m * nH);
        for (int b = b0; b < b1; b++) dh.AsSpan((b * Time + Time - 1) * nH, nH).CopyTo(current.Slice((b - b0) * nH, nH));
        for (int s = Time - 1; s >= 0; s--)
        {
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + s) * nH;
                ReadOnlySpan<float> dhRow = current.Slice((b - b0) * nH, nH);
                Span<float> duRow = du.AsSpan(row, nH);
                Fused.ActivationBackward(dhRow, PreActivation.AsSpan(row, nH), Alpha, Activation, duRow, Tier);
                if (partials is not null)
                {
                    // u_t = ... + W_in x̃_t + b_rec:  dW_in[:, j] += du_t x̃_t[j],  db_rec += du_t  (into this tile's sums).
                    Span<float> sums = partials.AsSpan(b / Gemm.RowTile * stride, stride);
                    int x = (b * Time + s) * nIn;
                    for (int j = 0; j < nIn; j++)
                    {
                        Span<float> sum = sums.Slice(j * nH, nH);
                        TensorPrimitives.MultiplyAdd(duRow, NoisyInput[x + j], sum, sum);
                    }
                    if (UseBias)
                    {
                        Span<float> sum = sums.Slice(nIn * nH, nH);
                        TensorPrimitives.Add(sum, duRow, sum);
                    }
                }
                // Leak path: dh_{s-1} = readout part + (1 - alpha) dh_s (to dh_0 for s = 0).
                if (s == 0) TensorPrimitives.Multiply(dhRow, keep, InitialHiddenGradient.AsSpan(b * nH, nH));
                else TensorPrimitives.MultiplyAdd(dhRow, keep, dh.AsSpan(row - nH, nH), next.Slice((b - b0) * nH, nH));
            }
            // dh_{s-1} += du_s·W_rec
            Span<float> dPrevious = s == 0 ? InitialHiddenGradient.AsSpan(b0 * nH) : next;
            Gemm.MultiplyPacked(du.AsSpan((b0 * Time + s) * nH), rowStride, false, RecurrentWeight, dPrevious, nH, m, true, Tier, 1);
            Span<float> swap = current;
            current = next;
            next = swap;
        }
    }

    /// <summary>Per-thread pair of contiguous [rows, hidden] gradient buffers (grown, never shrunk).</summary>
    [ThreadStatic] private static float[]? t_scratch;
}

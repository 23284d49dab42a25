using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Splits a [batch, ...] recurrence into parts of whole shares of rows (half or whole 8-row GEMM tiles). Rows of a batch never interact inside
/// the recurrent loops of <see cref="VanillaRnn"/> and <see cref="GruRnn"/> (h_t[b] needs only h_{t-1}[b]; dh_{t-1}[b]
/// only the gradients of row b at step t), so each
/// part runs all its time steps without waiting for the others, and every row goes through the same operations
/// whatever the split: results are identical for any number of parts and threads.
/// </summary>
internal static class BatchParts
{
    /// <summary>Recurrences with fewer multiply-adds (batch·hidden²·time) than this run on the calling thread alone.</summary>
    public const long ParallelThreshold = 1L << 22;

    /// <summary>Number of parts for a recurrence of the given size on up to <paramref name="threads"/> threads, cut on
    /// multiples of <paramref name="shareRows"/> rows (<see cref="Gemm.ShareRows"/>, or a whole tile).</summary>
    public static int Count(int batch, int hidden, int time, int threads, int shareRows)
    {
        int units = (batch + shareRows - 1) / shareRows;
        if (threads <= 1 || units < 2 || (long)batch * hidden * hidden * time < ParallelThreshold) return 1;
        return Math.Min(threads, units);
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

    /// <summary>Rows [start, end) of part <paramref name="part"/> of <paramref name="parts"/>, on multiples of
    /// <paramref name="shareRows"/> rows.</summary>
    public static (int Start, int End) Rows(int batch, int part, int parts, int shareRows)
    {
        int units = (batch + shareRows - 1) / shareRows;
        int start = Math.Min(batch, (int)((long)units * part / parts) * shareRows);
        int end = Math.Min(batch, (int)((long)units * (part + 1) / parts) * shareRows);
        return (start, end);
    }
}

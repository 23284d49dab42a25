using System.Buffers;

namespace NoisyRnn.Kernels;

/// <summary>
/// The mean squared error kernel behind <c>Training.MseLoss</c> and the fused training readout: differences, their
/// squares summed in a fixed order, and the gradient, in one pass, split over the cores in whole chunks.
/// </summary>
internal static unsafe class SquaredError
{
    /// <summary>Elements per chunk: one float32 sum of squares, one double partial sum.</summary>
    internal const int Chunk = 4096;

    /// <summary>Inputs of at least this many elements are split over the cores (memory-bound: about 1.7x on two).</summary>
    private const int ParallelLength = 1 << 18;

    /// <summary>Parts per thread, so that a helper that starts late leaves less behind.</summary>
    private const int PartsPerThread = 4;

    [ThreadStatic] private static ChunkWork? t_work;

    /// <summary>Computes the loss and, optionally, its gradient with respect to the outputs.</summary>
    /// <param name="outputs">Network outputs, any shape flattened (e.g. [batch, time, output]); a NaN or infinity gives a
    /// non-finite loss (how training detects divergence), not an exception.</param>
    /// <param name="targets">Targets, same length; finite.</param>
    /// <param name="gradient">Receives dL/d outputs = 2 (outputs - targets) / count; same length, or empty to skip.</param>
    /// <returns>mean((outputs - targets)^2): squares summed in float32 within each 4096-element chunk (in a fixed order,
    /// whatever the alignment of the spans), chunk sums added in double in chunk order; +Infinity when a chunk
    /// sum exceeds the float range (differences of about 1e19 and more).</returns>
    /// <exception cref="ArgumentException">Lengths differ, the spans are empty, or a target is not finite (checked only when the
    /// sum is not finite, which any non-finite target makes it; <paramref name="gradient"/> is then partly written).</exception>
    public static double Mean(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        if (outputs.Length == 0) throw new ArgumentException("outputs must not be empty.", nameof(outputs));
        Guard.Length(targets.Length, outputs.Length, nameof(targets), "outputs.Length");
        if (!gradient.IsEmpty) Guard.Length(gradient.Length, outputs.Length, nameof(gradient), "outputs.Length");
        // No separate pass over the targets: a NaN or infinite target makes its difference, and so the sum, non-finite,
        // and only then are the targets searched (one pass fewer over [batch, time, outputs] per training step).
        // Large inputs are split over the cores in whole chunks; the chunk sums are added in chunk order either way, so the
        // loss has the same bits for any thread count.
        int chunks = (outputs.Length + Chunk - 1) / Chunk;
        double[] chunkSums = ArrayPool<double>.Shared.Rent(chunks);
        double sum = 0;
        try
        {
            fixed (float* y = outputs, t = targets, g = gradient)
            {
                var work = t_work ??= new ChunkWork();
                work.Set(y, t, gradient.IsEmpty ? null : g, outputs.Length, chunkSums, chunks);
                try
                {
                    WorkerPool.RunParts(work, outputs.Length >= ParallelLength ? Gemm.MaxThreads : 1);
                }
                finally
                {
                    work.Set(null, null, null, 0, Array.Empty<double>(), 0);
                }
            }
            for (int c = 0; c < chunks; c++) sum += chunkSums[c];
        }
        finally
        {
            ArrayPool<double>.Shared.Return(chunkSums);
        }
        if (!double.IsFinite(sum)) Guard.AllFinite(targets, nameof(targets));
        return sum / outputs.Length;
    }

    /// <summary>Differences, their squared sums and the gradient for a range of chunks (one part per range).</summary>
    private sealed class ChunkWork : WorkerPool.IParallelParts
    {
        private float* _outputs, _targets, _gradient;
        private int _length, _chunks;
        private double[] _sums = Array.Empty<double>();

        public int Parts { get; private set; }

        public void Set(float* outputs, float* targets, float* gradient, int length, double[] sums, int chunks)
        {
            _outputs = outputs;
            _targets = targets;
            _gradient = gradient;
            _length = length;
            _sums = sums;
            _chunks = chunks;
            Parts = Math.Min(chunks, PartsPerThread * Math.Max(1, Gemm.MaxThreads));
        }

        public void Run(int part)
        {
            (int c0, int c1) = WorkerPool.PartRange(_chunks, part, Parts);
            float scale = 2f / _length;
            for (int c = c0; c < c1; c++)
            {
                int start = c * Chunk, n = Math.Min(Chunk, _length - start);
                _sums[c] = DifferenceChunk(_outputs + start, _targets + start, _gradient == null ? null : _gradient + start, n, scale);
            }
        }
    }

    /// <summary>
    /// One chunk of the loss in one pass: d = y - t, returns the float32 sum of d² and, unless <paramref name="gradient"/> is
    /// null, writes scale·d there (it may be <paramref name="outputs"/> itself). The squares are summed in an order this
    /// library owns (two vector accumulators, then the tail), independent of where the data lies, so that
    /// <see cref="Mean"/> and the fused training readout (the fused training readout (Models.MseReadout)) give the same bits.
    /// </summary>
    internal static float DifferenceChunk(float* outputs, float* targets, float* gradient, int n, float scale)
    {
        // Two accumulators of the widest tier, then the tail; no 128-bit path (a Vector128-only machine sums in scalar).
        IsaTier tier = Isa.Tier;
        if (tier >= IsaTier.Vector512 && n >= 32) return Difference<V512>(outputs, targets, gradient, n, scale);
        if (tier >= IsaTier.Vector256 && n >= 16) return Difference<V256>(outputs, targets, gradient, n, scale);
        return DifferenceTail(outputs, targets, gradient, 0, n, scale, 0f);
    }

    private static float Difference<V>(float* outputs, float* targets, float* gradient, int n, float scale)
        where V : struct, ISimdVector<V>
    {
        int i = 0, step = 2 * V.Count;
        V s0 = V.Zero, s1 = V.Zero, g = V.Create(scale);
        for (; i <= n - step; i += step)
        {
            V d0 = V.Load(outputs + i) - V.Load(targets + i);
            V d1 = V.Load(outputs + i + V.Count) - V.Load(targets + i + V.Count);
            s0 = V.FusedMultiplyAdd(d0, d0, s0);
            s1 = V.FusedMultiplyAdd(d1, d1, s1);
            if (gradient != null)
            {
                (d0 * g).Store(gradient + i);
                (d1 * g).Store(gradient + i + V.Count);
            }
        }
        return DifferenceTail(outputs, targets, gradient, i, n, scale, V.Sum(s0 + s1));
    }

    /// <summary>The scalar twin's arithmetic for elements [i, n), added onto <paramref name="sum"/>.</summary>
    private static float DifferenceTail(float* outputs, float* targets, float* gradient, int i, int n, float scale, float sum)
    {
        for (; i < n; i++)
        {
            float d = outputs[i] - targets[i];
            sum = MathF.FusedMultiplyAdd(d, d, sum);
            if (gradient != null) gradient[i] = d * scale;
        }
        return sum;
    }
}

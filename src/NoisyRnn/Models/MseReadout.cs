using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Training;

namespace NoisyRnn.Models;

/// <summary>
/// The training readout in one pass: y = W h (+ b) (+ std·xi), the mean-squared error against the targets, and its
/// back-propagation dL/dh = dY·W, dW += dYᵀ·H, db += Σ dY, for blocks of <see cref="BlockRows"/> rows of
/// [batch·time, hidden] at a time, so that the outputs and their gradient ([batch·time, output], 41 MB each at the paper
/// sizes) stay in cache instead of being written out and read back three times.
/// <para>
/// Same bits as the separate path (the readout of Forward, <see cref="MseLoss.Compute"/>, the readout part of Backward):
/// every block makes the same products with the same depth blocks; dW is summed in the pieces of
/// <see cref="Gemm.Chunks"/> (2048 rows, one partial each, added in piece order) and each piece in blocks of
/// <see cref="Gemm.DepthBlock"/> rows, exactly as the deep product dYᵀ·H does; the bias gradient in the same pieces
/// (<see cref="LayerMath.SumRowsInPieces"/>); the loss in <see cref="MseLoss"/>'s 4096-element chunks when 256·output is a
/// multiple of 4096 (output a multiple of 16; otherwise chunks are cut at block ends and the loss differs by rounding).
/// Pieces run on all cores and are independent of which core runs them, so the bits are the same for any thread count.
/// Applies when the product is deep enough to be cut into pieces (<see cref="Applies"/>); callers use the separate path
/// otherwise.
/// </para>
/// </summary>
internal sealed unsafe class MseReadout : WorkerPool.IParallelParts
{
    /// <summary>Rows of one block: one depth block of the weight-gradient product.</summary>
    internal const int BlockRows = Gemm.DepthBlock;

    private readonly PackedMatrix _weightTransposed = new(), _weight = new();
    private float[] _partials = [];
    private float[] _biasPartials = [];
    private double[] _chunkSums = [];
    [ThreadStatic] private static float[]? t_block;

    private ITargetRows? _targetRows;
    private int _targetGroupRows;
    [ThreadStatic] private static float[]? t_targets;
    private float* _hidden, _weightGradient, _biasGradient, _bias, _noise, _targets, _hiddenGradient, _partialsPtr, _biasPartialsPtr;
    private double* _sums;
    private float _noiseStd, _scale;
    private int _rows, _nH, _nOut, _pieces, _chunksPerBlock;
    private bool _summing;
    private IsaTier _tier;

    /// <summary>Parts of the current phase: one per piece, then one per group of rows of dW.</summary>
    public int Parts { get; private set; }

    /// <summary>
    /// True when the fused pass applies: a vector tier, a weight gradient cut into depth pieces, and products over blocks
    /// of rows cut like the separate products over all rows. The readout y = H·Wᵀ (depth hidden) and dL/dh = dY·W (depth
    /// outputs) are cut into depth pieces when 4096 or more deep, by a rule (<see cref="Gemm.Chunks"/>) that also depends
    /// on their row count; a block of at most <see cref="BlockRows"/> rows could be cut while all rows are not, which sums
    /// in another order (other bits). Chunks can only go from pieces to none as rows grow, so 1 row and all rows agreeing
    /// means every block agrees.
    /// </summary>
    public static bool Applies(int rows, int hidden, int outputs, IsaTier tier) =>
        tier != IsaTier.Scalar && Gemm.Chunks(outputs, hidden, rows) > 1
        && Gemm.Chunks(rows, outputs, hidden) == Gemm.Chunks(1, outputs, hidden)
        && Gemm.Chunks(rows, hidden, outputs) == Gemm.Chunks(1, hidden, outputs);

    /// <summary>
    /// Runs the fused readout. Writes dL/dh into <paramref name="hiddenGradient"/> and, when the loss is finite, ADDS dW and
    /// db into the gradients; when the loss is not finite the gradients are left untouched.
    /// </summary>
    /// <param name="hidden">H, [rows, nH].</param>
    /// <param name="weight">W, [nOut, nH].</param>
    /// <param name="bias">b, [nOut], or empty.</param>
    /// <param name="outputNoise">Raw output draws, [rows, nOut], or empty.</param>
    /// <param name="outputStd">Multiplier of <paramref name="outputNoise"/>.</param>
    /// <param name="targets">Targets, [rows, nOut].</param>
    /// <param name="rows">batch·time.</param>
    /// <param name="nH">Hidden units.</param>
    /// <param name="nOut">Outputs.</param>
    /// <param name="hiddenGradient">Receives dY·W, [rows, nH].</param>
    /// <param name="weightGradient">dW accumulator, [nOut, nH].</param>
    /// <param name="biasGradient">db accumulator, [nOut], or empty.</param>
    /// <param name="tier">A vector tier (see <see cref="Applies"/>).</param>
    /// <param name="threads">Cores to use.</param>
    /// <returns>The mean-squared error (not finite when the readout or a target is not finite).</returns>
    public double Run(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> outputNoise,
        float outputStd, ReadOnlySpan<float> targets, int rows, int nH, int nOut, Span<float> hiddenGradient, Span<float> weightGradient,
        Span<float> biasGradient, IsaTier tier, int threads) =>
        Run(hidden, weight, bias, outputNoise, outputStd, targets, null, rows, nH, nOut, hiddenGradient, weightGradient, biasGradient, tier, threads);

    /// <summary>As the other overload, with the targets written block by block by <paramref name="targetRows"/> (when not
    /// null, <paramref name="targets"/> is ignored).</summary>
    public double Run(ReadOnlySpan<float> hidden, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> outputNoise,
        float outputStd, ReadOnlySpan<float> targets, ITargetRows? targetRows, int rows, int nH, int nOut, Span<float> hiddenGradient,
        Span<float> weightGradient, Span<float> biasGradient, IsaTier tier, int threads)
    {
        if (!Applies(rows, nH, nOut, tier)) throw new InvalidOperationException("The fused readout needs a vector tier and a deep weight-gradient product.");
        _targetRows = targetRows;
        // Row targets are written a loss chunk at a time when whole rows make a chunk and whole chunks a block (a 16-KB
        // buffer in L1), else a block at a time; array targets are read a block at a time.
        int chunkRows = nOut <= SquaredError.Chunk && SquaredError.Chunk % nOut == 0 ? SquaredError.Chunk / nOut : 0;
        _targetGroupRows = targetRows is not null && chunkRows > 0 && BlockRows % chunkRows == 0 ? chunkRows : BlockRows;
        int pieces = Gemm.Chunks(nOut, nH, rows);
        int blocks = (rows + BlockRows - 1) / BlockRows;
        int chunksPerBlock = (BlockRows * nOut + SquaredError.Chunk - 1) / SquaredError.Chunk;
        if (_partials.Length < pieces * nOut * nH) _partials = GC.AllocateUninitializedArray<float>(pieces * nOut * nH, pinned: true);
        if (!bias.IsEmpty && _biasPartials.Length < pieces * nOut) _biasPartials = GC.AllocateUninitializedArray<float>(pieces * nOut, pinned: true);
        if (_chunkSums.Length < blocks * chunksPerBlock) _chunkSums = GC.AllocateUninitializedArray<double>(blocks * chunksPerBlock, pinned: true);
        _weightTransposed.PackTransposed(weight, nH, nOut, tier);
        _weight.Pack(weight, nOut, nH, tier);
        double sum = 0;
        fixed (float* h = hidden, b = bias, xi = outputNoise, t = targets, dh = hiddenGradient, dW = weightGradient, db = biasGradient)
        fixed (float* partials = _partials, biasPartials = _biasPartials)
        fixed (double* sums = _chunkSums)
        {
            _hidden = h;
            _bias = bias.IsEmpty ? null : b;
            _noise = outputNoise.IsEmpty ? null : xi;
            _noiseStd = outputStd;
            _targets = t;
            _hiddenGradient = dh;
            _weightGradient = dW;
            _biasGradient = biasGradient.IsEmpty ? null : db;
            _partialsPtr = partials;
            _biasPartialsPtr = biasPartials;
            _sums = sums;
            _rows = rows;
            _nH = nH;
            _nOut = nOut;
            _pieces = pieces;
            _chunksPerBlock = chunksPerBlock;
            _scale = 2f / ((long)rows * nOut);
            _tier = tier;
            try
            {
                _summing = false;
                Parts = pieces;
                WorkerPool.RunParts(this, threads);
                for (int i = 0; i < blocks * chunksPerBlock; i++) sum += sums[i];
                if (double.IsFinite(sum))
                {
                    _summing = true;
                    Parts = Math.Min((nOut + Gemm.RowTile - 1) / Gemm.RowTile, 4 * Math.Max(1, threads));
                    WorkerPool.RunParts(this, threads);
                    if (_biasGradient != null)
                    {
                        var dbSpan = new Span<float>(_biasGradient, nOut);
                        for (int p = 0; p < pieces; p++) TensorPrimitives.Add(dbSpan, new ReadOnlySpan<float>(biasPartials + (nint)p * nOut, nOut), dbSpan);
                    }
                }
            }
            finally
            {
                _hidden = _weightGradient = _biasGradient = _bias = _noise = _targets = _hiddenGradient = _partialsPtr = _biasPartialsPtr = null;
                _targetRows = null;
                _sums = null;
            }
        }
        return sum / ((double)rows * nOut);
    }

    /// <summary>Phase 1: piece <paramref name="part"/> block by block; phase 2: rows of dW += the partials in piece order.</summary>
    public void Run(int part)
    {
        int nH = _nH, nOut = _nOut;
        if (_summing)
        {
            (int i0, int i1) = WorkerPool.PartRange(nOut, part, Parts);
            Gemm.AddPieces(_weightGradient, nH, _partialsPtr, _pieces, nOut, nH, i0, i1, accumulate: true);
            return;
        }

        IsaTier tier = _tier;
        float* y = Gemm.Workspace(ref t_block, BlockRows * nOut);
        int group = _targetGroupRows;
        float* rowTargets = _targetRows is null ? null : Gemm.Workspace(ref t_targets, group * nOut);
        int r0 = part * Gemm.ChunkDepth, r1 = Math.Min(_rows, r0 + Gemm.ChunkDepth);
        var partial = new Span<float>(_partialsPtr + (long)part * nOut * nH, nOut * nH);
        Span<float> biasPartial = _bias == null ? default : new Span<float>(_biasPartialsPtr + (nint)part * nOut, nOut);
        biasPartial.Clear();
        for (int b0 = r0; b0 < r1; b0 += BlockRows)
        {
            int m = Math.Min(BlockRows, r1 - b0);
            var h = new ReadOnlySpan<float>(_hidden + (nint)b0 * nH, m * nH);
            var yBlock = new Span<float>(y, m * nOut);
            // y = W h (+ b) (+ std·xi), as the readout of Forward.
            Gemm.MultiplyPacked(h, nH, false, _weightTransposed, yBlock, nOut, m, false, tier, 1);
            if (_bias != null) LayerMath.AddToRows(yBlock, m, new ReadOnlySpan<float>(_bias, nOut));
            if (_noise != null) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(_noise + (nint)b0 * nOut, m * nOut), _noiseStd, yBlock, yBlock);
            // dY = 2(y - target)/count in place, and the float32 sums of squares of MseLoss's chunks.
            double* sums = _sums + (nint)(b0 / BlockRows) * _chunksPerBlock;
            // Row targets are written into a small buffer group by group (whole chunks), just before their chunk of the
            // loss; array targets are one group of the whole block.
            int c = 0;
            for (int g0 = 0; g0 < m; g0 += group)
            {
                int gm = Math.Min(group, m - g0), gLength = gm * nOut;
                float* t = _targets + (nint)(b0 + g0) * nOut;
                if (rowTargets != null)
                {
                    _targetRows!.WriteRows(b0 + g0, gm, new Span<float>(rowTargets, gLength));
                    t = rowTargets;
                }
                float* yg = y + (nint)g0 * nOut;
                for (int start = 0; start < gLength; start += SquaredError.Chunk, c++)
                    sums[c] = SquaredError.DifferenceChunk(yg + start, t + start, yg + start, Math.Min(SquaredError.Chunk, gLength - start), _scale);
            }
            for (; c < _chunksPerBlock; c++) sums[c] = 0;
            // dL/dh = dY·W for these rows; dW's piece partial += dYᵀ·H (a depth block of the deep product); db's likewise.
            Gemm.MultiplyPacked(yBlock, nOut, false, _weight, new Span<float>(_hiddenGradient + (nint)b0 * nH, m * nH), nH, m, false, tier, 1);
            Gemm.MultiplyStrided(yBlock, nOut, true, h, nH, partial, nH, nOut, nH, m, accumulate: b0 > r0, tier, 1);
            if (_bias != null) LayerMath.SumRows(yBlock, m, biasPartial);
        }
    }

    /// <summary>Checks the targets of a training pass: a [batch, time, output] span, or row targets of that shape.</summary>
    /// <exception cref="ArgumentException">The shape does not fit (ParamName "targets").</exception>
    internal static void CheckTargets(ReadOnlySpan<float> targets, ITargetRows? targetRows, int batch, int time, int outputs)
    {
        if (targetRows is null)
        {
            Guard.Length(targets.Length, (long)batch * time * outputs, nameof(targets), $"[batch, time, output] = [{batch}, {time}, {outputs}]");
            return;
        }
        if (targetRows.RowCount != (long)batch * time || targetRows.Width != outputs)
            throw new ArgumentException($"targets has {targetRows.RowCount} rows of {targetRows.Width}; expected batch·time = {(long)batch * time} rows of {outputs} outputs.", nameof(targets));
    }

    /// <summary>All rows of <paramref name="targetRows"/> in a buffer reused across calls.</summary>
    internal static ReadOnlySpan<float> Materialize(ITargetRows targetRows, ref float[]? buffer)
    {
        int length = checked(targetRows.RowCount * targetRows.Width);
        if (buffer is null || buffer.Length != length) buffer = new float[length];
        targetRows.WriteRows(0, targetRows.RowCount, buffer);
        return buffer;
    }

    /// <summary>After a non-finite loss: a non-finite target is the caller's error, not divergence.</summary>
    /// <exception cref="ArgumentException">A target is not finite (ParamName "targets").</exception>
    internal static void RequireFiniteTargets(ReadOnlySpan<float> targets, ITargetRows? targetRows)
    {
        float[]? buffer = null;
        ReadOnlySpan<float> values = targetRows is null ? targets : Materialize(targetRows, ref buffer);
        Guard.AllFinite(values, nameof(targets));
    }
}

using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// The recurrent loop of <see cref="RecurrentNetwork{TOptions, TTape}.Forward"/> for a range of batch rows: for t = 0 .. time - 1,
/// u_t += h_{t-1}·W_recᵀ (one-thread product on the packed weight), then h_t = (1 - alpha) h_{t-1} + alpha act(u_t)
/// + s xi_t row by row while the rows are in cache. Buffers are the tape's [batch, time, hidden] tensors.
/// </summary>
internal sealed class VanillaForwardRecurrence(VanillaTape tape)
    : BatchRecurrence(tape, tape.Options.HiddenSize, tape.Options.Alpha, tape.Options.Activation)
{
    /// <summary>Raw recurrent draws of this pass, [batch, time, hidden], or null for no noise.</summary>
    public float[]? Noise;

    /// <summary>Per-step std multiplying <see cref="Noise"/>.</summary>
    public float NoiseScale;

    /// <summary>The model's parameters: W_in gives the input part of u.</summary>
    public ParameterSet? Parameters;

    /// <summary>The pre-activation bias added to the input part of u ([hidden]: b_rec, or b_in + b_rec), or empty for none.</summary>
    public ReadOnlyMemory<float> Bias;

    protected override void RunRows(int b0, int b1)
    {
        float[] h = tape.HiddenBuffer, u = tape.PreActivationBuffer, h0 = tape.InitialHiddenBuffer;
        PackedMatrix wRec = tape.RecurrentWeightPacked;
        int nH = HiddenSize, rowStride = Time * nH, nIn = tape.Options.InputSize;
        // U = X̃·W_inᵀ (+ b_rec) (+ b_in) for this part's rows, all steps.
        ParameterSet p = Parameters ?? throw new InvalidOperationException("Parameters must be set before the loop runs.");
        int first = b0 * Time, count = (b1 - b0) * Time;
        Span<float> inputPart = u.AsSpan(first * nH, count * nH);
        Gemm.MultiplyTransposedBStrided(tape.NoisyInputBuffer.AsSpan(first * nIn, count * nIn), nIn, p[VanillaRnn.InputWeight], inputPart, nH,
            count, nH, nIn, false, Tier, 1);
        if (!Bias.IsEmpty) LayerMath.AddToRows(inputPart, count, Bias.Span);
        ModifiedDynamics? modified = tape.Modified;
        for (int t = 0; t < Time; t++)
        {
            // The next step's input part of u and noise, a step ahead (see Prefetch).
            Prefetch(u, b0, b1, t + 1, nH);
            Prefetch(Noise, b0, b1, t + 1, nH);
            Prefetch(h, b0, b1, t + 1, nH);
            // u_t += W_rec h_{t-1}: rows (b, t) of U have stride time·hidden.
            ReadOnlySpan<float> previous = t == 0 ? h0.AsSpan(b0 * nH) : h.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            Gemm.MultiplyPacked(previous, previousStride, false, wRec, u.AsSpan((b0 * Time + t) * nH), rowStride,
                b1 - b0, true, Tier, 1);
            if (modified is not null)
            {
                ModifiedStep(b0, b1, t, modified);
                continue;
            }
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                ReadOnlySpan<float> xi = Noise is null ? default : Noise.AsSpan(row, nH);
                Fused.LeakyUpdate(prevRow, u.AsSpan(row, nH), xi, Alpha, NoiseScale, Activation, h.AsSpan(row, nH), Tier);
            }
        }
    }

    /// <summary>
    /// Step <paramref name="t"/> of the modified dynamics for rows [b0, b1), u_t holding W_rec h_{t-1} + W_in x̃_t (+ b):
    /// u_t −= a_{t-1}; f_t = (1 − alpha) h_{t-1} + alpha act(u_t) and the standard step h_t = f_t + s xi_t, which
    /// <see cref="ModifiedDynamics.CompleteStep"/> turns into h_{t-1} + w_t (and updates w and a).
    /// </summary>
    private void ModifiedStep(int b0, int b1, int t, ModifiedDynamics modified)
    {
        float[] h = tape.HiddenBuffer, u = tape.PreActivationBuffer, h0 = tape.InitialHiddenBuffer;
        int nH = HiddenSize;
        for (int b = b0; b < b1; b++)
        {
            int row = (b * Time + t) * nH;
            ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
            ReadOnlySpan<float> xi = Noise is null ? default : Noise.AsSpan(row, nH);
            Span<float> uRow = u.AsSpan(row, nH), hRow = h.AsSpan(row, nH);
            modified.SubtractAdaptation(b, t, uRow);
            Fused.LeakyUpdate(prevRow, uRow, default, Alpha, 0f, Activation, modified.Drift(b), Tier);
            Fused.LeakyUpdate(prevRow, uRow, xi, Alpha, NoiseScale, Activation, hRow, Tier);
            modified.CompleteStep(b, prevRow, xi, hRow);
        }
    }
}

/// <summary>
/// The recurrent loop of <see cref="RecurrentNetwork{TOptions, TTape}.Backward"/> for a range of batch rows, dh holding the readout part of
/// dL/dh_t on entry: for s = time - 1 .. 0, du_s = dh_s·alpha·act'(u_s) and the leak path (1 - alpha)·dh_s is added to
/// dh_{s-1} (to dh_0 for s = 0); then the recurrent path du_s·W_rec is added to dh_{s-1} (one-thread product).
/// The weight gradient dW_rec is left to one product over all rows afterwards. With <see cref="InputPartials"/> set,
/// each du row also goes, while in cache, into sums kept per 8-row tile: Σ du·x̃_j for every input j and, with
/// <see cref="UseBias"/>, Σ du (<see cref="AddInputGradients"/> adds the tiles up in a fixed order afterwards, so the
/// result does not depend on the split).
/// </summary>
internal sealed class VanillaBackwardRecurrence(VanillaTape tape)
    : BatchRecurrence(tape, tape.Options.HiddenSize, tape.Options.Alpha, tape.Options.Activation)
{
    /// <summary>Largest input width whose weight gradient is summed inside the loop; wider inputs use one product
    /// (settable so that tests can compare the two paths on one model).</summary>
    public static int MaxFusedInputs { get; set; } = 4;

    private int InputSize => tape.Options.InputSize;
    private bool UseBias => tape.Options.UseBias;

    /// <summary>Per-tile sums, [tiles, input + (bias ? 1 : 0), hidden] (the tape's buffer); null to leave dW_in and db_rec
    /// to the caller.</summary>
    public float[]? InputPartials;

    /// <inheritdoc />
    protected override bool KeepsTileSums => InputPartials is not null;

    /// <summary>Length of <see cref="InputPartials"/>: per tile one row of hidden per input, then one for the bias.</summary>
    public int PartialsLength => (Batch + Gemm.RowTile - 1) / Gemm.RowTile * PartialRows * HiddenSize;

    /// <summary>Sums per tile: one row of hidden per input, then one for the bias.</summary>
    private int PartialRows => InputSize + (UseBias ? 1 : 0);

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

    /// <summary>u_t = ... + W_in x̃_t + b_rec: dW_in[:, j] += du_t x̃_t[j] and db_rec += du_t for row (b, s), into the sums of
    /// the row's tile of <paramref name="partials"/> (<paramref name="stride"/> floats per tile).</summary>
    private void AddInputPartials(float[] partials, int stride, ReadOnlySpan<float> duRow, float[] x, int b, int s)
    {
        int nH = HiddenSize, nIn = InputSize;
        Span<float> sums = partials.AsSpan(b / Gemm.RowTile * stride, stride);
        int xRow = (b * Time + s) * nIn;
        for (int j = 0; j < nIn; j++)
        {
            Span<float> sum = sums.Slice(j * nH, nH);
            TensorPrimitives.MultiplyAdd(duRow, x[xRow + j], sum, sum);
        }
        if (UseBias)
        {
            Span<float> sum = sums.Slice(nIn * nH, nH);
            TensorPrimitives.Add(sum, duRow, sum);
        }
    }

    protected override unsafe void RunRows(int b0, int b1)
    {
        if (tape.Modified is { } modified)
        {
            // The modifiers of the forward pass: the same du, with the velocity and adaptation paths added to dh_{s-1}.
            ModifiedRows(b0, b1, modified);
            return;
        }
        int nH = HiddenSize, rowStride = Time * nH, nIn = InputSize;
        float keep = 1f - Alpha;
        float[] dh = tape.HiddenGradient!, du = tape.PreActivationGradient!, dh0 = tape.InitialHiddenGradient!;
        float[] u = tape.PreActivationBuffer, x = tape.NoisyInputBuffer;
        PackedMatrix wRec = tape.RecurrentWeightPacked;
        float[]? partials = InputPartials;
        int stride = PartialRows * nH, m = b1 - b0;
        if (partials is not null) partials.AsSpan(b0 / Gemm.RowTile * stride, ((m + Gemm.RowTile - 1) / Gemm.RowTile) * stride).Clear();
        // dL/dh_s of this part's rows, complete, lives in one of two contiguous [rows, hidden] buffers: the strided rows of
        // dh (time·hidden apart, all in the same cache sets) are only read, for their readout part, which is where the
        // leak path adds to, and the recurrent product accumulates into the contiguous buffer instead.
        float[] scratch = t_scratch is { } buffer && buffer.Length >= 2 * m * nH ? buffer : (t_scratch = new float[2 * m * nH]);
        Span<float> current = scratch.AsSpan(0, m * nH), next = scratch.AsSpan(m * nH, m * nH);
        bool fusedRows = Activation == Activation.Relu && Tier != IsaTier.Scalar && FuseRows;
        for (int b = b0; b < b1; b++) dh.AsSpan((b * Time + Time - 1) * nH, nH).CopyTo(current.Slice((b - b0) * nH, nH));
        for (int s = Time - 1; s >= 0; s--)
        {
            // The readout part of dL/dh and the pre-activations of the next step (backwards), a step ahead.
            Prefetch(dh, b0, b1, s - 2, nH);
            Prefetch(u, b0, b1, s - 1, nH);
            Prefetch(du, b0, b1, s - 1, nH);
            if (partials is not null) Prefetch(x, b0, b1, s - 1, nIn);
            if (fusedRows)
            {
                // ReLU on a vector tier: the steps below in one pass per row (same operations, same bits).
                fixed (float* pdh = dh, pdu = du, pu = u, px = x, pdh0 = dh0, pcur = current, pnext = next)
                fixed (float* pPartials = partials)
                {
                    for (int b = b0; b < b1; b++)
                    {
                        int row = (b * Time + s) * nH, local = (b - b0) * nH;
                        float* sums = pPartials == null ? null : pPartials + (nint)(b / Gemm.RowTile) * stride;
                        float* target = s == 0 ? pdh0 + (nint)b * nH : pnext + local;
                        Fused.ReluBackwardRow(pcur + local, pu + row, Alpha, pdu + row, keep, s == 0 ? null : pdh + row - nH, target,
                            px + (b * Time + s) * nIn, pPartials == null ? 0 : nIn, sums, pPartials != null && UseBias, nH);
                    }
                }
            }
            else for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + s) * nH;
                ReadOnlySpan<float> dhRow = current.Slice((b - b0) * nH, nH);
                Span<float> duRow = du.AsSpan(row, nH);
                Fused.ActivationBackward(dhRow, u.AsSpan(row, nH), Alpha, Activation, duRow, Tier);
                if (partials is not null) AddInputPartials(partials, stride, duRow, x, b, s);
                // Leak path: dh_{s-1} = readout part + (1 - alpha) dh_s (to dh_0 for s = 0).
                if (s == 0) TensorPrimitives.Multiply(dhRow, keep, dh0.AsSpan(b * nH, nH));
                else TensorPrimitives.MultiplyAdd(dhRow, keep, dh.AsSpan(row - nH, nH), next.Slice((b - b0) * nH, nH));
            }
            // dh_{s-1} += du_s·W_rec
            Span<float> dPrevious = s == 0 ? dh0.AsSpan(b0 * nH) : next;
            Gemm.MultiplyPacked(du.AsSpan((b0 * Time + s) * nH), rowStride, false, wRec, dPrevious, nH, m, true, Tier, 1);
            Span<float> swap = current;
            current = next;
            next = swap;
        }
    }

    /// <summary>
    /// BPTT of the modified dynamics (<see cref="VanillaForwardRecurrence"/>'s ModifiedStep) for rows [b0, b1), with H_s
    /// the complete dL/dh_s, V_s = dL/dw_s, F_s = dL/df_s and A_s = dL/da_s (V_T = A_{T-1} = 0): for s = time − 1 .. 0,
    /// <code>
    /// V_s = H_s + M V_{s+1}                 (h_s = h_{s-1} + w_s;  w_{s+1} = M w_s + ...)
    /// F_s = (1 + M) V_s                     (w_s = ... + (1 + M)(f_s − h_{s-1}))
    /// du_s = F_s alpha act'(u_s)            (f_s = (1 − alpha) h_{s-1} + alpha act(u_s))
    /// A_{s-1} = (1 − 1/τ_a) A_s − du_s       (u_s = ... − a_{s-1};  a_s = (1 − 1/τ_a) a_{s-1} + ...)
    /// H_{s-1} = R_{s-1} + (1 − alpha) F_s + (H_s − F_s) + (b/τ_a) A_{s-1} + du_s W_rec
    /// </code>
    /// (R: the readout part; for s = 0 into dh_0, without R and A, a_{-1} being the constant 0; the V, F and A parts are
    /// <see cref="ModifiedDynamics"/>'s). The input, bias and W_rec gradients follow from du as in the standard loop.
    /// With M = 0 and b = 0, F_s = H_s and the added terms are exact zeros: the standard loop's bits.
    /// </summary>
    private void ModifiedRows(int b0, int b1, ModifiedDynamics modified)
    {
        int nH = HiddenSize, rowStride = Time * nH;
        float keep = 1f - Alpha;
        float[] dh = tape.HiddenGradient!, du = tape.PreActivationGradient!, dh0 = tape.InitialHiddenGradient!;
        float[] u = tape.PreActivationBuffer, x = tape.NoisyInputBuffer;
        PackedMatrix wRec = tape.RecurrentWeightPacked;
        float[]? partials = InputPartials;
        int stride = PartialRows * nH, count = b1 - b0;
        if (partials is not null) partials.AsSpan(b0 / Gemm.RowTile * stride, ((count + Gemm.RowTile - 1) / Gemm.RowTile) * stride).Clear();
        modified.BeginBackward(b0, b1);
        float[] scratch = t_scratch is { } buffer && buffer.Length >= 2 * count * nH ? buffer : (t_scratch = new float[2 * count * nH]);
        Span<float> current = scratch.AsSpan(0, count * nH), next = scratch.AsSpan(count * nH, count * nH);
        for (int b = b0; b < b1; b++) dh.AsSpan((b * Time + Time - 1) * nH, nH).CopyTo(current.Slice((b - b0) * nH, nH));
        for (int s = Time - 1; s >= 0; s--)
        {
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + s) * nH;
                ReadOnlySpan<float> hRow = current.Slice((b - b0) * nH, nH);
                Span<float> duRow = du.AsSpan(row, nH);
                Span<float> fRow = modified.DriftGradient(b, hRow);
                Fused.ActivationBackward(fRow, u.AsSpan(row, nH), Alpha, Activation, duRow, Tier);
                if (partials is not null) AddInputPartials(partials, stride, duRow, x, b, s);
                Span<float> target = s == 0 ? dh0.AsSpan(b * nH, nH) : next.Slice((b - b0) * nH, nH);
                // Leak path: (1 − alpha) F_s (+ the readout part R_{s-1}), as the standard loop.
                if (s == 0) TensorPrimitives.Multiply(fRow, keep, target);
                else TensorPrimitives.MultiplyAdd(fRow, keep, dh.AsSpan(row - nH, nH), target);
                modified.AddStatePaths(b, s, hRow, duRow, target);
            }
            // dh_{s-1} += du_s·W_rec
            Span<float> dPrevious = s == 0 ? dh0.AsSpan(b0 * nH) : next;
            Gemm.MultiplyPacked(du.AsSpan((b0 * Time + s) * nH), rowStride, false, wRec, dPrevious, nH, count, true, Tier, 1);
            Span<float> swap = current;
            current = next;
            next = swap;
        }
    }

    /// <summary>Whether ReLU rows take the one-pass kernel (settable so that tests and probes can compare the paths).</summary>
    internal static bool FuseRows { get; set; } = true;

    /// <summary>Per-thread pair of contiguous [rows, hidden] gradient buffers (grown, never shrunk).</summary>
    [ThreadStatic] private static float[]? t_scratch;
}

using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// The recurrent loop of <see cref="GruRnn.Forward"/> for a range of batch rows (see <see cref="BatchParts"/>): for
/// t = 0 .. time - 1, the gate pre-activations z_t, r_t += U h_{t-1} (one-thread products), z_t = sigmoid, r_t = sigmoid,
/// q_t = r_t ⊙ h_{t-1}, u_t += U_h q_t, then h_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} - act(u_t)) + s xi_t. The input parts
/// of z, r and u are in the buffers on entry. Buffers are the tape's [batch, time, hidden] tensors.
/// </summary>
internal sealed class GruForwardRecurrence : GemmWorkers.IParallelParts
{
    public float[] Hidden = Array.Empty<float>();
    public float[] InitialHidden = Array.Empty<float>();
    public float[] UpdateGate = Array.Empty<float>();
    public float[] ResetGate = Array.Empty<float>();
    public float[] Candidate = Array.Empty<float>();
    public float[] GatedHidden = Array.Empty<float>();
    public float[]? Noise;
    public PackedMatrix UpdateWeight = null!;
    public PackedMatrix ResetWeight = null!;
    public PackedMatrix CandidateWeight = null!;
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
        int nH = HiddenSize, rowStride = Time * nH, m = b1 - b0;
        float[] h = Hidden, z = UpdateGate, r = ResetGate, u = Candidate, q = GatedHidden;
        for (int t = 0; t < Time; t++)
        {
            ReadOnlySpan<float> previous = t == 0 ? InitialHidden.AsSpan(b0 * nH) : h.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            int first = (b0 * Time + t) * nH;
            // z_t, r_t pre-activations += U h_{t-1}; rows (b, t) have stride time·hidden.
            Gemm.MultiplyPacked(previous, previousStride, false, UpdateWeight, z.AsSpan(first), rowStride, m, true, Tier, 1);
            Gemm.MultiplyPacked(previous, previousStride, false, ResetWeight, r.AsSpan(first), rowStride, m, true, Tier, 1);
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? InitialHidden.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> zRow = z.AsSpan(row, nH), rRow = r.AsSpan(row, nH);
                TensorPrimitives.Sigmoid(zRow, zRow);
                TensorPrimitives.Sigmoid(rRow, rRow);
                // q_t = r_t ⊙ h_{t-1}
                TensorPrimitives.Multiply(rRow, prevRow, q.AsSpan(row, nH));
            }
            // u_t += U_h q_t
            Gemm.MultiplyPacked(q.AsSpan(first), rowStride, false, CandidateWeight, u.AsSpan(first), rowStride, m, true, Tier, 1);
            // h_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} - act(u_t)) + RecurrentStd·xi_rec_t
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? InitialHidden.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                ReadOnlySpan<float> xiRow = Noise is null ? default : Noise.AsSpan(row, nH);
                FusedGru.Update(prevRow, z.AsSpan(row, nH), u.AsSpan(row, nH), xiRow, Alpha, NoiseScale, Activation, h.AsSpan(row, nH), Tier);
            }
        }
    }
}

/// <summary>
/// The recurrent loop of <see cref="GruRnn.Backward"/> for a range of batch rows, dh holding the readout part of dL/dh_t
/// on entry: for t = time - 1 .. 0, the update backward (d z-pre, du, and the direct path into dh_{t-1}), dq_t = du_t·U_h,
/// the reset backward (d r-pre, and dq r into dh_{t-1}), then dh_{t-1} += d(z pre)·U_z + d(r pre)·U_r (one-thread
/// products). The recurrent weight gradients are left to products over all rows afterwards.
/// </summary>
internal sealed class GruBackwardRecurrence : GemmWorkers.IParallelParts
{
    public float[] HiddenGradient = Array.Empty<float>();
    public float[] InitialHiddenGradient = Array.Empty<float>();
    public float[] UpdatePreGradient = Array.Empty<float>();
    public float[] ResetPreGradient = Array.Empty<float>();
    public float[] CandidateGradient = Array.Empty<float>();
    public float[] GatedGradient = Array.Empty<float>();
    public float[] Hidden = Array.Empty<float>();
    public float[] InitialHidden = Array.Empty<float>();
    public float[] UpdateGate = Array.Empty<float>();
    public float[] ResetGate = Array.Empty<float>();
    public float[] Candidate = Array.Empty<float>();
    public PackedMatrix UpdateWeight = null!;
    public PackedMatrix ResetWeight = null!;
    public PackedMatrix CandidateWeight = null!;
    public float Alpha;
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
        int nH = HiddenSize, rowStride = Time * nH, m = b1 - b0;
        float[] dh = HiddenGradient, dh0 = InitialHiddenGradient, daz = UpdatePreGradient, dar = ResetPreGradient;
        float[] du = CandidateGradient, dq = GatedGradient, h = Hidden, h0 = InitialHidden;
        for (int t = Time - 1; t >= 0; t--)
        {
            // h_t = h_{t-1} + alpha (z - 1)(h_{t-1} - act(u)):  d(z pre) = g alpha (h_{t-1} - act(u)) z(1 - z),
            // du = g alpha (1 - z) act'(u),  dh_{t-1} += g (1 + alpha (z - 1)).
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> dPrevRow = t == 0 ? dh0.AsSpan(b * nH, nH) : dh.AsSpan(row - nH, nH);
                FusedGru.UpdateBackward(dh.AsSpan(row, nH), prevRow, UpdateGate.AsSpan(row, nH), Candidate.AsSpan(row, nH),
                    Alpha, Activation, daz.AsSpan(row, nH), du.AsSpan(row, nH), dPrevRow, Tier);
            }

            // u_t = ... + U_h q_t:  dq_t = du_t·U_h  (dq holds one [batch, hidden] step)
            int first = (b0 * Time + t) * nH;
            Gemm.MultiplyPacked(du.AsSpan(first), rowStride, false, CandidateWeight, dq.AsSpan(b0 * nH), nH, m, false, Tier, 1);

            // q_t = r_t ⊙ h_{t-1}:  d(r pre) = dq h_{t-1} r(1 - r),  dh_{t-1} += dq r.
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> dPrevRow = t == 0 ? dh0.AsSpan(b * nH, nH) : dh.AsSpan(row - nH, nH);
                FusedGru.ResetBackward(dq.AsSpan(b * nH, nH), prevRow, ResetGate.AsSpan(row, nH), dar.AsSpan(row, nH), dPrevRow, Tier);
            }

            // z and r pre-activations = ... + U h_{t-1}:  dh_{t-1} += d(z pre)·U_z + d(r pre)·U_r.
            Span<float> dPrevious = t == 0 ? dh0.AsSpan(b0 * nH) : dh.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            Gemm.MultiplyPacked(daz.AsSpan(first), rowStride, false, UpdateWeight, dPrevious, previousStride, m, true, Tier, 1);
            Gemm.MultiplyPacked(dar.AsSpan(first), rowStride, false, ResetWeight, dPrevious, previousStride, m, true, Tier, 1);
        }
    }
}

using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// The recurrent loop of <see cref="RecurrentNetwork{TOptions, TTape}.Forward"/> for a range of batch rows (see <see cref="BatchParts"/>): for
/// t = 0 .. time - 1, the gate pre-activations z_t, r_t += U h_{t-1} (one-thread products), z_t = sigmoid, r_t = sigmoid,
/// q_t = r_t ⊙ h_{t-1}, u_t += U_h q_t, then h_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} - act(u_t)) + s xi_t. The input parts
/// of z, r and u are in the buffers on entry. Buffers are the tape's [batch, time, hidden] tensors. With the tape's
/// <see cref="RecurrentTape.Modified"/> (adaptation, momentum), u_t −= a_{t-1} before the update, and the update's noise-free
/// part f_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} - act(u_t)) enters h_t = h_{t-1} + w_t through the velocity
/// w_t = M w_{t-1} + (1 + M)(f_t − h_{t-1}) + √(1 − M²) s xi_t (<see cref="ModifiedDynamics"/>).
/// </summary>
internal sealed class GruForwardRecurrence(GruTape tape)
    : BatchRecurrence(tape, tape.Options.HiddenSize, tape.Options.Alpha, tape.Options.Activation)
{
    /// <summary>Raw recurrent draws of this pass, [batch, time, hidden], or null for no noise.</summary>
    public float[]? Noise;

    /// <summary>Per-step std multiplying <see cref="Noise"/>.</summary>
    public float NoiseScale;

    protected override void RunRows(int b0, int b1)
    {
        int nH = HiddenSize, rowStride = Time * nH, m = b1 - b0;
        float[] h = tape.HiddenBuffer, h0 = tape.InitialHiddenBuffer;
        float[] z = tape.UpdateGateBuffer, r = tape.ResetGateBuffer, u = tape.CandidateBuffer, q = tape.GatedHiddenBuffer;
        PackedMatrix uz = tape.UpdateRecurrentPacked, ur = tape.ResetRecurrentPacked, uh = tape.CandidateRecurrentPacked;
        ModifiedDynamics? modified = tape.Modified;
        for (int t = 0; t < Time; t++)
        {
            // The next step's rows, a step ahead (see Prefetch): the input parts of the gates and the candidate, the noise.
            Prefetch(z, b0, b1, t + 1, nH);
            Prefetch(r, b0, b1, t + 1, nH);
            Prefetch(u, b0, b1, t + 1, nH);
            Prefetch(Noise, b0, b1, t + 1, nH);
            ReadOnlySpan<float> previous = t == 0 ? h0.AsSpan(b0 * nH) : h.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            int first = (b0 * Time + t) * nH;
            // z_t, r_t pre-activations += U h_{t-1}; rows (b, t) have stride time·hidden.
            Gemm.MultiplyPacked(previous, previousStride, false, uz, z.AsSpan(first), rowStride, m, true, Tier, 1);
            Gemm.MultiplyPacked(previous, previousStride, false, ur, r.AsSpan(first), rowStride, m, true, Tier, 1);
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> zRow = z.AsSpan(row, nH), rRow = r.AsSpan(row, nH);
                TensorPrimitives.Sigmoid(zRow, zRow);
                TensorPrimitives.Sigmoid(rRow, rRow);
                // q_t = r_t ⊙ h_{t-1}
                TensorPrimitives.Multiply(rRow, prevRow, q.AsSpan(row, nH));
            }
            // u_t += U_h q_t
            Gemm.MultiplyPacked(q.AsSpan(first), rowStride, false, uh, u.AsSpan(first), rowStride, m, true, Tier, 1);
            if (modified is not null)
            {
                ModifiedUpdate(b0, b1, t, modified);
                continue;
            }
            // h_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} - act(u_t)) + RecurrentStd·xi_rec_t
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                ReadOnlySpan<float> xiRow = Noise is null ? default : Noise.AsSpan(row, nH);
                FusedGru.Update(prevRow, z.AsSpan(row, nH), u.AsSpan(row, nH), xiRow, Alpha, NoiseScale, Activation, h.AsSpan(row, nH), Tier);
            }
        }
    }

    /// <summary>
    /// The update of step <paramref name="t"/> in the modified dynamics for rows [b0, b1), z_t and u_t = W_h x̃_t + U_h q_t
    /// (+ b) formed: u_t −= a_{t-1} (the candidate only; the gates are unchanged); f_t = h_{t-1} + alpha (z_t - 1)(h_{t-1} -
    /// act(u_t)) and the standard update h_t = f_t + s xi_t, which <see cref="ModifiedDynamics.CompleteStep"/> turns into
    /// h_{t-1} + w_t (and updates w and a).
    /// </summary>
    private void ModifiedUpdate(int b0, int b1, int t, ModifiedDynamics modified)
    {
        float[] h = tape.HiddenBuffer, h0 = tape.InitialHiddenBuffer, z = tape.UpdateGateBuffer, u = tape.CandidateBuffer;
        int nH = HiddenSize;
        for (int b = b0; b < b1; b++)
        {
            int row = (b * Time + t) * nH;
            ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
            ReadOnlySpan<float> xiRow = Noise is null ? default : Noise.AsSpan(row, nH);
            Span<float> zRow = z.AsSpan(row, nH), uRow = u.AsSpan(row, nH), hRow = h.AsSpan(row, nH);
            modified.SubtractAdaptation(b, t, uRow);
            FusedGru.Update(prevRow, zRow, uRow, default, Alpha, 0f, Activation, modified.Drift(b), Tier);
            FusedGru.Update(prevRow, zRow, uRow, xiRow, Alpha, NoiseScale, Activation, hRow, Tier);
            modified.CompleteStep(b, prevRow, xiRow, hRow);
        }
    }
}

/// <summary>
/// The recurrent loop of <see cref="RecurrentNetwork{TOptions, TTape}.Backward"/> for a range of batch rows, dh holding the readout part of dL/dh_t
/// on entry: for t = time - 1 .. 0, the update backward (d z-pre, du, and the direct path into dh_{t-1}), dq_t = du_t·U_h,
/// the reset backward (d r-pre, and dq r into dh_{t-1}), then dh_{t-1} += d(z pre)·U_z + d(r pre)·U_r (one-thread
/// products). The recurrent weight gradients are left to products over all rows afterwards. With the forward pass's
/// <see cref="RecurrentTape.Modified"/>, with H_t the complete dL/dh_t, V_t = dL/dw_t, F_t = dL/df_t and A_t = dL/da_t
/// (V_T = A_{T-1} = 0), the update backward differentiates f_t instead of h_t and the velocity and adaptation paths join:
/// <code>
/// V_t = H_t + M V_{t+1},  F_t = (1 + M) V_t                      (h_t = h_{t-1} + w_t;  w_t = M w_{t-1} + (1 + M)(f_t − h_{t-1}) + ...)
/// d(z pre)_t = F_t alpha (h_{t-1} − act(u_t)) z_t (1 − z_t),  du_t = F_t alpha (1 − z_t) act'(u_t)
/// A_{t-1} = (1 − 1/τ_a) A_t − du_t                               (u_t = ... − a_{t-1};  a_t = (1 − 1/τ_a) a_{t-1} + (b/τ_a) h_t)
/// H_{t-1} = R_{t-1} + F_t (1 + alpha (z_t − 1)) + (H_t − F_t) + (b/τ_a) A_{t-1} + dq_t r_t + d(z pre)_t U_z + d(r pre)_t U_r
/// </code>
/// (R: the readout part; dq_t = du_t U_h as in the standard loop; for t = 0 into dh_0, without R and A). With M = 0 and
/// b = 0, F_t = H_t and the added terms are exact zeros: the standard loop's bits.
/// </summary>
internal sealed class GruBackwardRecurrence(GruTape tape)
    : BatchRecurrence(tape, tape.Options.HiddenSize, tape.Options.Alpha, tape.Options.Activation)
{
    protected override void RunRows(int b0, int b1)
    {
        int nH = HiddenSize, rowStride = Time * nH, m = b1 - b0;
        float[] dh = tape.HiddenGradient!, dh0 = tape.InitialHiddenGradient!, daz = tape.UpdatePreGradient!, dar = tape.ResetPreGradient!;
        float[] du = tape.CandidateGradient!, dq = tape.GatedGradient!, h = tape.HiddenBuffer, h0 = tape.InitialHiddenBuffer;
        float[] z = tape.UpdateGateBuffer, r = tape.ResetGateBuffer, u = tape.CandidateBuffer;
        PackedMatrix uz = tape.UpdateRecurrentPacked, ur = tape.ResetRecurrentPacked, uh = tape.CandidateRecurrentPacked;
        ModifiedDynamics? modified = tape.Modified;
        modified?.BeginBackward(b0, b1);
        for (int t = Time - 1; t >= 0; t--)
        {
            // The previous step's rows (backwards), a step ahead: states, gates, candidates and the readout part of dL/dh.
            Prefetch(h, b0, b1, t - 2, nH);
            Prefetch(z, b0, b1, t - 1, nH);
            Prefetch(r, b0, b1, t - 1, nH);
            Prefetch(u, b0, b1, t - 1, nH);
            Prefetch(dh, b0, b1, t - 2, nH);
            // h_t = h_{t-1} + alpha (z - 1)(h_{t-1} - act(u)):  d(z pre) = g alpha (h_{t-1} - act(u)) z(1 - z),
            // du = g alpha (1 - z) act'(u),  dh_{t-1} += g (1 + alpha (z - 1)).
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> dPrevRow = t == 0 ? dh0.AsSpan(b * nH, nH) : dh.AsSpan(row - nH, nH);
                if (modified is null)
                {
                    FusedGru.UpdateBackward(dh.AsSpan(row, nH), prevRow, z.AsSpan(row, nH), u.AsSpan(row, nH),
                        Alpha, Activation, daz.AsSpan(row, nH), du.AsSpan(row, nH), dPrevRow, Tier);
                    continue;
                }
                // Modified: the same backward with g = F_t = dL/df_t, then the velocity and adaptation paths.
                ReadOnlySpan<float> dhRow = dh.AsSpan(row, nH);
                Span<float> duRow = du.AsSpan(row, nH);
                FusedGru.UpdateBackward(modified.DriftGradient(b, dhRow), prevRow, z.AsSpan(row, nH), u.AsSpan(row, nH),
                    Alpha, Activation, daz.AsSpan(row, nH), duRow, dPrevRow, Tier);
                modified.AddStatePaths(b, t, dhRow, duRow, dPrevRow);
            }

            // u_t = ... + U_h q_t:  dq_t = du_t·U_h  (dq holds one [batch, hidden] step)
            int first = (b0 * Time + t) * nH;
            Gemm.MultiplyPacked(du.AsSpan(first), rowStride, false, uh, dq.AsSpan(b0 * nH), nH, m, false, Tier, 1);

            // q_t = r_t ⊙ h_{t-1}:  d(r pre) = dq h_{t-1} r(1 - r),  dh_{t-1} += dq r.
            for (int b = b0; b < b1; b++)
            {
                int row = (b * Time + t) * nH;
                ReadOnlySpan<float> prevRow = t == 0 ? h0.AsSpan(b * nH, nH) : h.AsSpan(row - nH, nH);
                Span<float> dPrevRow = t == 0 ? dh0.AsSpan(b * nH, nH) : dh.AsSpan(row - nH, nH);
                FusedGru.ResetBackward(dq.AsSpan(b * nH, nH), prevRow, r.AsSpan(row, nH), dar.AsSpan(row, nH), dPrevRow, Tier);
            }

            // z and r pre-activations = ... + U h_{t-1}:  dh_{t-1} += d(z pre)·U_z + d(r pre)·U_r.
            Span<float> dPrevious = t == 0 ? dh0.AsSpan(b0 * nH) : dh.AsSpan((b0 * Time + t - 1) * nH);
            int previousStride = t == 0 ? nH : rowStride;
            Gemm.MultiplyPacked(daz.AsSpan(first), rowStride, false, uz, dPrevious, previousStride, m, true, Tier, 1);
            Gemm.MultiplyPacked(dar.AsSpan(first), rowStride, false, ur, dPrevious, previousStride, m, true, Tier, 1);
        }
    }
}

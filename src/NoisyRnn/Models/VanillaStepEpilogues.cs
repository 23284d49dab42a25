using System.Numerics.Tensors;
using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// The element-wise part of one forward step of <see cref="VanillaRnn"/>, run on the rows of u_t as soon as the
/// recurrent product has finished them (<see cref="Gemm.IRowEpilogue"/>): h_t[b] = (1 - alpha) h_{t-1}[b] +
/// alpha act(u_t[b]) + s xi_t[b]. Rows are batch indices b; the buffers are the tape's [batch, time, hidden] tensors.
/// </summary>
internal sealed class LeakyStepEpilogue : Gemm.IRowEpilogue
{
    public float[] Hidden = Array.Empty<float>();
    public float[] PreActivation = Array.Empty<float>();
    public float[] InitialHidden = Array.Empty<float>();
    public float[]? Noise;
    public float Alpha;
    public float NoiseScale;
    public Activation Activation;
    public IsaTier Tier;
    public int Time;
    public int HiddenSize;

    /// <summary>The step t whose rows the next product finishes.</summary>
    public int Step;

    public void Rows(int start, int end)
    {
        int nH = HiddenSize, t = Step;
        for (int b = start; b < end; b++)
        {
            int row = (b * Time + t) * nH;
            ReadOnlySpan<float> previous = t == 0 ? InitialHidden.AsSpan(b * nH, nH) : Hidden.AsSpan(row - nH, nH);
            ReadOnlySpan<float> xi = Noise is null ? default : Noise.AsSpan(row, nH);
            Fused.LeakyUpdate(previous, PreActivation.AsSpan(row, nH), xi, Alpha, NoiseScale, Activation, Hidden.AsSpan(row, nH), Tier);
        }
    }
}

/// <summary>
/// The element-wise part of one backward step of <see cref="VanillaRnn"/>, run on the rows of dL/dh_s as soon as the
/// product du_{s+1}·W_rec has finished them (<see cref="Gemm.IRowEpilogue"/>): du_s[b] = dh_s[b]·alpha·act'(u_s[b]),
/// then the leak path (1 - alpha)·dh_s[b] is added to dh_{s-1}[b] (to dh_0 for s = 0), before the product of step s
/// adds its recurrent part there: the same operations in the same order as a separate pass over the whole batch.
/// </summary>
internal sealed class ActivationBackwardEpilogue : Gemm.IRowEpilogue
{
    public float[] HiddenGradient = Array.Empty<float>();
    public float[] PreActivation = Array.Empty<float>();
    public float[] PreActivationGradient = Array.Empty<float>();
    public float[] InitialHiddenGradient = Array.Empty<float>();
    public float Alpha;
    public Activation Activation;
    public IsaTier Tier;
    public int Time;
    public int HiddenSize;

    /// <summary>The step s whose hidden gradient the next product completes.</summary>
    public int Step;

    public void Rows(int start, int end)
    {
        int nH = HiddenSize, s = Step;
        float keep = 1f - Alpha;
        for (int b = start; b < end; b++)
        {
            int row = (b * Time + s) * nH;
            ReadOnlySpan<float> dh = HiddenGradient.AsSpan(row, nH);
            Fused.ActivationBackward(dh, PreActivation.AsSpan(row, nH), Alpha, Activation, PreActivationGradient.AsSpan(row, nH), Tier);
            if (s == 0) TensorPrimitives.Multiply(dh, keep, InitialHiddenGradient.AsSpan(b * nH, nH));
            else
            {
                Span<float> target = HiddenGradient.AsSpan(row - nH, nH);
                TensorPrimitives.MultiplyAdd(dh, keep, target, target);
            }
        }
    }
}

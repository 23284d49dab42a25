using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Workspace of one <see cref="GruRnn"/> forward pass at a fixed (batch, time): every buffer the forward pass writes
/// and back-propagation through time reads, so repeated training steps allocate nothing. Create it with
/// <see cref="RecurrentNetwork{TOptions, TTape}.CreateTape"/>. Not thread-safe. All tensors are row-major.
/// </summary>
public sealed class GruTape : RecurrentTape
{
    internal GruTape(GruRnnOptions options, int batch, int time)
        : base(options, batch, time)
    {
        Options = options;
        long rows = (long)batch * time;
        int nH = options.HiddenSize;
        UpdateGateBuffer = new float[checked(rows * nH)];
        ResetGateBuffer = new float[checked(rows * nH)];
        GatedHiddenBuffer = new float[checked(rows * nH)];
        CandidateBuffer = new float[checked(rows * nH)];
        ForwardLoop = new GruForwardRecurrence(this);
        BackwardLoop = new GruBackwardRecurrence(this);
    }

    internal GruRnnOptions Options { get; }

    /// <summary>Update gates z_t = sigmoid(W_z x̃_t + U_z h_{t-1}), [batch, time, hidden], values in (0, 1).</summary>
    public ReadOnlySpan<float> UpdateGates => UpdateGateBuffer;

    /// <summary>Reset gates r_t = sigmoid(W_r x̃_t + U_r h_{t-1}), [batch, time, hidden], values in (0, 1).</summary>
    public ReadOnlySpan<float> ResetGates => ResetGateBuffer;

    /// <summary>Candidate pre-activations u_t = W_h x̃_t + U_h (r_t ⊙ h_{t-1}), [batch, time, hidden].</summary>
    public ReadOnlySpan<float> CandidatePreActivations => CandidateBuffer;

    internal float[] UpdateGateBuffer { get; }
    internal float[] ResetGateBuffer { get; }
    internal float[] GatedHiddenBuffer { get; }
    internal float[] CandidateBuffer { get; }
    // The recurrent weights packed for the GEMM (transposed in Forward, as they are in Backward); reused by every pass.
    internal PackedMatrix UpdateRecurrentPacked { get; } = new();
    internal PackedMatrix ResetRecurrentPacked { get; } = new();
    internal PackedMatrix CandidateRecurrentPacked { get; } = new();

    // Backward workspaces; allocated on the first backward pass.

    internal float[]? UpdatePreGradient { get; set; }
    internal float[]? ResetPreGradient { get; set; }
    internal float[]? CandidateGradient { get; set; }
    internal float[]? GatedGradient { get; set; }

    /// <summary>Gate gradients of step 0, [batch, hidden], set aside while a recurrent weight gradient is formed in one product.</summary>
    internal float[]? FirstStepGradient { get; set; }

    /// <summary>The recurrent loop of a forward pass, reused by every pass.</summary>
    internal GruForwardRecurrence ForwardLoop { get; }

    /// <summary>The recurrent loop of a backward pass, reused by every pass.</summary>
    internal GruBackwardRecurrence BackwardLoop { get; }
}

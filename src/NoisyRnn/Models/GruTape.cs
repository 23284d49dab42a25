using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Workspace of one <see cref="GruRnn"/> forward pass at a fixed (batch, time): every buffer the forward pass writes
/// and back-propagation through time reads, so repeated training steps allocate nothing. Create it with
/// <see cref="GruRnn.CreateTape"/>. Not thread-safe. All tensors are row-major.
/// </summary>
public sealed class GruTape : RecurrentTape
{
    internal GruTape(GruRnnOptions options, int batch, int time)
        : base(batch, time)
    {
        Options = options;
        long rows = (long)batch * time;
        int nH = options.HiddenSize;
        InitialStateBuffer = new float[checked(batch * options.InitSize)];
        InitialHiddenBuffer = new float[checked(batch * nH)];
        NoisyInputBuffer = new float[checked(rows * options.InputSize)];
        UpdateGateBuffer = new float[checked(rows * nH)];
        ResetGateBuffer = new float[checked(rows * nH)];
        GatedHiddenBuffer = new float[checked(rows * nH)];
        CandidateBuffer = new float[checked(rows * nH)];
        HiddenBuffer = new float[checked(rows * nH)];
        OutputBuffer = new float[checked(rows * options.OutputSize)];
        ForwardLoop = new GruForwardRecurrence(this);
        BackwardLoop = new GruBackwardRecurrence(this);
    }

    internal GruRnnOptions Options { get; }

    /// <inheritdoc />
    public override ReadOnlySpan<float> Hidden => HiddenBuffer;

    /// <inheritdoc />
    public override ReadOnlySpan<float> Outputs => HasOutputs ? OutputBuffer : throw NoOutputs();

    /// <inheritdoc />
    public override ReadOnlySpan<float> InitialHidden => InitialHiddenBuffer;

    /// <summary>Update gates z_t = sigmoid(W_z x̃_t + U_z h_{t-1}), [batch, time, hidden], values in (0, 1).</summary>
    public ReadOnlySpan<float> UpdateGates => UpdateGateBuffer;

    /// <summary>Reset gates r_t = sigmoid(W_r x̃_t + U_r h_{t-1}), [batch, time, hidden], values in (0, 1).</summary>
    public ReadOnlySpan<float> ResetGates => ResetGateBuffer;

    /// <summary>Candidate pre-activations u_t = W_h x̃_t + U_h (r_t ⊙ h_{t-1}), [batch, time, hidden].</summary>
    public ReadOnlySpan<float> CandidatePreActivations => CandidateBuffer;

    /// <summary>Noisy inputs x̃_t = x_t + InputStd·xi_in, [batch, time, input].</summary>
    public ReadOnlySpan<float> NoisyInputs => NoisyInputBuffer;

    /// <summary>The initial-state code given to the encoder, [batch, init].</summary>
    public ReadOnlySpan<float> InitialState => InitialStateBuffer;

    internal float[] InitialStateBuffer { get; }
    internal float[] InitialHiddenBuffer { get; }
    internal float[] NoisyInputBuffer { get; }
    internal float[] UpdateGateBuffer { get; }
    internal float[] ResetGateBuffer { get; }
    internal float[] GatedHiddenBuffer { get; }
    internal float[] CandidateBuffer { get; }
    internal float[] HiddenBuffer { get; }
    internal float[] OutputBuffer { get; }
    // The recurrent weights packed for the GEMM (transposed in Forward, as they are in Backward); reused by every pass.
    internal PackedMatrix UpdateRecurrentPacked { get; } = new();
    internal PackedMatrix ResetRecurrentPacked { get; } = new();
    internal PackedMatrix CandidateRecurrentPacked { get; } = new();

    internal float[]? InputNoise { get; set; }
    internal float[]? RecurrentNoise { get; set; }

    // Backward workspaces; allocated on the first backward pass.



    internal float[]? UpdatePreGradient { get; set; }
    internal float[]? ResetPreGradient { get; set; }
    internal float[]? CandidateGradient { get; set; }
    internal float[]? GatedGradient { get; set; }
    internal float[]? InitialHiddenGradient { get; set; }

    /// <summary>Gate gradients of step 0, [batch, hidden], set aside while a recurrent weight gradient is formed in one product.</summary>
    internal float[]? FirstStepGradient { get; set; }

    /// <summary>The recurrent loop of a forward pass, reused by every pass.</summary>
    internal GruForwardRecurrence ForwardLoop { get; }

    /// <summary>The recurrent loop of a backward pass, reused by every pass.</summary>
    internal GruBackwardRecurrence BackwardLoop { get; }
}

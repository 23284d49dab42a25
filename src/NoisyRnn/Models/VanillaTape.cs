using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Workspace of one <see cref="VanillaRnn"/> forward pass at a fixed (batch, time): owns every buffer the forward
/// pass writes and back-propagation through time reads, so repeated training steps allocate nothing. Create it
/// with <see cref="RecurrentNetwork{TOptions, TTape}.CreateTape"/>; reuse it for every pass of that size. Not thread-safe.
/// All tensors are row-major.
/// </summary>
public sealed class VanillaTape : RecurrentTape
{
    internal VanillaTape(VanillaRnnOptions options, int batch, int time)
        : base(options, batch, time)
    {
        Options = options;
        PreActivationBuffer = new float[checked((long)batch * time * options.HiddenSize)];
        ForwardLoop = new VanillaForwardRecurrence(this);
        BackwardLoop = new VanillaBackwardRecurrence(this);
    }

    internal VanillaRnnOptions Options { get; }

    /// <summary>Pre-activations u_t = W_rec h_{t-1} + W_in x̃_t (+ b_rec) (+ b_in), [batch, time, hidden].</summary>
    public ReadOnlySpan<float> PreActivations => PreActivationBuffer;

    internal float[] PreActivationBuffer { get; }
    /// <summary>W_rec packed for the GEMM (transposed in Forward, as is in Backward); one buffer reused by every pass.</summary>
    internal PackedMatrix RecurrentWeightPacked { get; } = new();

    /// <summary>The recurrent loop of a forward pass, reused by every pass.</summary>
    internal VanillaForwardRecurrence ForwardLoop { get; }

    /// <summary>The recurrent loop of a backward pass, reused by every pass.</summary>
    internal VanillaBackwardRecurrence BackwardLoop { get; }

    // Backward workspaces; allocated on the first backward pass.

    internal float[]? PreActivationGradient { get; set; }

    /// <summary>du of step 0, [batch, hidden], set aside while dW_rec is formed in one product.</summary>
    internal float[]? FirstStepGradient { get; set; }

    /// <summary>Per-tile sums of dW_in and db_rec kept by the backward loop, [tiles, input + 1, hidden].</summary>
    internal float[]? InputGradientPartials { get; set; }

    /// <summary>b_in + b_rec of the last forward pass, [hidden] (only with <see cref="VanillaBiasLayout.AllLayers"/>; a field so
    /// that it can be allocated by reference on first use).</summary>
    internal float[]? PreActivationBiasBuffer;

    /// <summary>Σ du of the last backward pass, [hidden], the common gradient of b_rec and b_in (only with
    /// <see cref="VanillaBiasLayout.AllLayers"/>).</summary>
    internal float[]? PreActivationBiasGradient { get; set; }
}

using NoisyRnn.Kernels;

namespace NoisyRnn.Models;

/// <summary>
/// Workspace of one <see cref="VanillaRnn"/> forward pass at a fixed (batch, time): owns every buffer the forward
/// pass writes and back-propagation through time reads, so repeated training steps allocate nothing. Create it
/// with <see cref="VanillaRnn.CreateTape"/>; reuse it for every pass of that size. Not thread-safe.
/// All tensors are row-major.
/// </summary>
public sealed class ForwardTape : RecurrentTape
{
    internal ForwardTape(VanillaRnnOptions options, int batch, int time)
        : base(batch, time)
    {
        Options = options;
        long rows = (long)batch * time;
        InitialStateBuffer = new float[checked(batch * options.InitSize)];
        InitialHiddenBuffer = new float[checked(batch * options.HiddenSize)];
        NoisyInputBuffer = new float[checked(rows * options.InputSize)];
        PreActivationBuffer = new float[checked(rows * options.HiddenSize)];
        HiddenBuffer = new float[checked(rows * options.HiddenSize)];
        OutputBuffer = new float[checked(rows * options.OutputSize)];
        ForwardLoop = new ForwardRecurrence(this);
        BackwardLoop = new BackwardRecurrence(this);
    }

    internal VanillaRnnOptions Options { get; }

    /// <summary>Hidden states h_t after each step t, [batch, time, hidden].</summary>
    public override ReadOnlySpan<float> Hidden => HiddenBuffer;

    /// <summary>Readouts y_t = W_out h_t (+ b_out) + OutputStd·xi_out, [batch, time, output] (output noise included).</summary>
    /// <exception cref="InvalidOperationException">No outputs held (<see cref="RecurrentTape.HasOutputs"/> is false): no forward
    /// pass yet, or the last pass was <see cref="VanillaRnn.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Noise.NoiseLevels, Noise.NoiseStreams, ForwardTape, ParameterSet)"/>.</exception>
    public override ReadOnlySpan<float> Outputs => HasOutputs ? OutputBuffer : throw NoOutputs();

    /// <summary>h_0 = initState·W_encᵀ, [batch, hidden].</summary>
    public override ReadOnlySpan<float> InitialHidden => InitialHiddenBuffer;

    /// <summary>Pre-activations u_t = W_rec h_{t-1} + W_in x̃_t (+ b_rec), [batch, time, hidden].</summary>
    public ReadOnlySpan<float> PreActivations => PreActivationBuffer;

    /// <summary>Noisy inputs x̃_t = x_t + InputStd·xi_in, [batch, time, input].</summary>
    public ReadOnlySpan<float> NoisyInputs => NoisyInputBuffer;

    /// <summary>The initial-state code given to the encoder, [batch, init].</summary>
    public ReadOnlySpan<float> InitialState => InitialStateBuffer;

    internal float[] InitialStateBuffer { get; }
    internal float[] InitialHiddenBuffer { get; }
    internal float[] NoisyInputBuffer { get; }
    internal float[] PreActivationBuffer { get; }
    internal float[] HiddenBuffer { get; }
    internal float[] OutputBuffer { get; }
    /// <summary>W_rec packed for the GEMM (transposed in Forward, as is in Backward); one buffer reused by every pass.</summary>
    internal PackedMatrix RecurrentWeightPacked { get; } = new();

    /// <summary>The recurrent loop of a forward pass, reused by every pass.</summary>
    internal ForwardRecurrence ForwardLoop { get; }

    /// <summary>The recurrent loop of a backward pass, reused by every pass.</summary>
    internal BackwardRecurrence BackwardLoop { get; }

    // Raw draws; allocated the first time a stream with std > 0 is used.
    internal float[]? InputNoise { get; set; }
    internal float[]? RecurrentNoise { get; set; }

    // Backward workspaces; allocated on the first backward pass.

    internal float[]? PreActivationGradient { get; set; }
    internal float[]? InitialHiddenGradient { get; set; }

    /// <summary>du of step 0, [batch, hidden], set aside while dW_rec is formed in one product.</summary>
    internal float[]? FirstStepGradient { get; set; }


    /// <summary>Per-tile sums of dW_in and db_rec kept by the backward loop, [tiles, input + 1, hidden].</summary>
    internal float[]? InputGradientPartials { get; set; }
}

namespace NoisyRnn.Models;

/// <summary>
/// The workspace of one forward pass of an <see cref="IRecurrentNetwork"/> at a fixed (batch, time), and its common
/// read-only view: every buffer the forward pass writes and back-propagation through time reads, so repeated training
/// steps allocate nothing. <see cref="VanillaTape"/> is the vanilla RNN's, <see cref="GruTape"/> the GRU's; each adds the
/// buffers of its cell. All tensors are row-major. Not thread-safe.
/// </summary>
public abstract class RecurrentTape
{
    private protected RecurrentTape(IRecurrentNetworkOptions options, int batch, int time)
    {
        NetworkOptions = options;
        Batch = batch;
        Time = time;
        long rows = (long)batch * time;
        InitialStateBuffer = new float[checked(batch * options.InitSize)];
        InitialHiddenBuffer = new float[checked(batch * options.HiddenSize)];
        NoisyInputBuffer = new float[checked(rows * options.InputSize)];
        HiddenBuffer = new float[checked(rows * options.HiddenSize)];
        OutputBuffer = new float[checked(rows * options.OutputSize)];
    }

    /// <summary>The options of the model that made this tape.</summary>
    internal IRecurrentNetworkOptions NetworkOptions { get; }

    internal float[] InitialStateBuffer { get; }
    internal float[] InitialHiddenBuffer { get; }
    internal float[] NoisyInputBuffer { get; }
    internal float[] HiddenBuffer { get; }
    internal float[] OutputBuffer { get; }

    // Raw draws of the last pass; allocated the first time a stream with std > 0 is used.
    internal float[]? InputNoise { get; set; }

    /// <summary>Raw recurrent draws of the last pass, [batch, time, hidden].</summary>
    internal float[]? RecurrentNoise { get; set; }

    /// <summary>Raw output draws of the last pass, [batch, time, output]; allocated the first time OutputStd &gt; 0.</summary>
    internal float[]? OutputNoise { get; set; }

    /// <summary>dL/dh_t, [batch, time, hidden]: the readout part on entry to the recurrent backward loop; allocated on the
    /// first backward pass.</summary>
    internal float[]? HiddenGradient { get; set; }

    /// <summary>dL/dh_0, [batch, hidden], written by the cell's backward steps; allocated on the first backward pass.</summary>
    internal float[]? InitialHiddenGradient { get; set; }

    /// <summary>dL/dy of ForwardBackwardMse when it takes the separate path (small batches).</summary>
    internal float[]? OutputGradient { get; set; }

    /// <summary>Targets written from an <see cref="ITargetRows"/> when ForwardBackwardMse takes the separate path.</summary>
    internal float[]? TargetBuffer;

    /// <summary>The fused training readout and its buffers; made on first use.</summary>
    internal MseReadout? Readout { get; set; }

    /// <summary>The adaptation and momentum of the last forward pass (<see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/>),
    /// read by its backward pass; null when the pass took the standard step.</summary>
    internal ModifiedDynamics? Modified { get; private set; }

    /// <summary>The buffers of <see cref="Modified"/>, allocated on the first modified pass and kept.</summary>
    private ModifiedDynamics? _modifiedBuffers;

    /// <summary>Sets <see cref="Modified"/> for the next forward pass: <paramref name="dynamics"/> (no leak override) with the
    /// pass's recurrent noise std, or null for the standard step.</summary>
    internal void SetDynamics(DynamicsModifiers? dynamics, float noiseStd)
    {
        if (dynamics is null)
        {
            Modified = null;
            return;
        }
        _modifiedBuffers ??= new ModifiedDynamics(Batch, NetworkOptions.HiddenSize);
        _modifiedBuffers.Set(dynamics, noiseStd);
        Modified = _modifiedBuffers;
    }

    /// <summary>Batch size B this tape was made for; &gt; 0.</summary>
    public int Batch { get; }

    /// <summary>Number of time steps T this tape was made for; &gt; 0.</summary>
    public int Time { get; }

    /// <summary>True once a forward pass has filled the tape.</summary>
    public bool HasForward { get; internal set; }

    /// <summary>Hidden states h_t after each step t, [batch, time, hidden].</summary>
    public ReadOnlySpan<float> Hidden => HiddenBuffer;

    /// <summary>True when <see cref="Outputs"/> holds the readouts of the last pass: after <see cref="IRecurrentNetwork.Forward"/>,
    /// not after <see cref="IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Noise.NoiseLevels, Noise.NoiseStreams, RecurrentTape, ParameterSet)"/> (which keeps them in cache and never writes them).</summary>
    public bool HasOutputs { get; internal set; }

    /// <summary>Readouts y_t (output noise included), [batch, time, output].</summary>
    /// <exception cref="InvalidOperationException">The tape holds no outputs (<see cref="HasOutputs"/> is false): no forward pass
    /// yet, or the last pass was <see cref="IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Noise.NoiseLevels, Noise.NoiseStreams, RecurrentTape, ParameterSet)"/>.</exception>
    public ReadOnlySpan<float> Outputs => HasOutputs
        ? OutputBuffer
        : throw new InvalidOperationException("The tape holds no outputs: no Forward pass yet, or the last pass was ForwardBackwardMse, which does not write them. Call Forward to get the readouts.");

    /// <summary>h_0 = encoder(s), [batch, hidden].</summary>
    public ReadOnlySpan<float> InitialHidden => InitialHiddenBuffer;

    /// <summary>Noisy inputs x̃_t = x_t + InputStd·xi_in, [batch, time, input].</summary>
    public ReadOnlySpan<float> NoisyInputs => NoisyInputBuffer;

    /// <summary>The initial-state code given to the encoder, [batch, init].</summary>
    public ReadOnlySpan<float> InitialState => InitialStateBuffer;
}

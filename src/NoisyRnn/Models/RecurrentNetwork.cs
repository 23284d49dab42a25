using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// What every noisy continuous-time recurrent cell of the library shares (<see cref="VanillaRnn"/>, <see cref="GruRnn"/>):
/// the parameter buffer, the argument checks, the three noise sites, the initial-state encoder, the readout and its
/// back-propagation, the fused training pass and tape-free simulation. Per step t, with x̃_t the noisy input:
/// <code>
/// h_0 = W_enc s (+ b_enc, for cells with an encoder bias)   (s: initial-state code, [batch, init])
/// x̃_t = x_t + InputStd·xi_in_t
/// h_t = f(h_{t-1}, x̃_t) + RecurrentStd·xi_rec_t             (the cell's recurrent step)
/// y_t = W_out h_t (+ b_out) + OutputStd·xi_out_t
/// </code>
/// A cell supplies f and its back-propagation (docs/extending.md). All tensors are row-major: inputs
/// [batch, time, input], initial-state codes [batch, init], hidden states [batch, time, hidden], outputs
/// [batch, time, output]. The noise streams give raw draws; the model multiplies them by the stds. Not thread-safe: use
/// one instance (or one tape) per thread.
/// </summary>
/// <typeparam name="TOptions">The cell's sizes and time constants (a record).</typeparam>
/// <typeparam name="TTape">The cell's workspace of one forward pass.</typeparam>
public abstract class RecurrentNetwork<TOptions, TTape> : IRecurrentNetwork, ISimulatedCell
    where TOptions : class, IRecurrentNetworkOptions
    where TTape : RecurrentTape
{
    /// <summary>Name of the encoder weight W_enc, [hidden, init], in every cell.</summary>
    private protected const string EncoderWeightName = "encoder.weight";

    private protected RecurrentNetwork(TOptions options, Func<TOptions, IEnumerable<(string, int[])>> layout)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Parameters = new ParameterSet(layout(options));
    }

    /// <summary>Sizes and time constants (validated).</summary>
    public TOptions Options { get; }

    /// <inheritdoc />
    public IRecurrentNetworkOptions NetworkOptions => Options;

    /// <inheritdoc />
    public abstract string Kind { get; }

    /// <summary>All parameters in one contiguous buffer with named views (see the class remarks for names and shapes).</summary>
    public ParameterSet Parameters { get; }

    // ---- What a cell supplies ----

    /// <summary>Name of the encoder bias b_enc, [hidden], or null when the cell has none.</summary>
    private protected abstract string? EncoderBiasName { get; }

    /// <summary>Name of the readout weight W_out, [output, hidden].</summary>
    private protected abstract string ReadoutWeightName { get; }

    /// <summary>Name of the readout bias b_out, [output], or null when the cell has none.</summary>
    private protected abstract string? ReadoutBiasName { get; }

    /// <summary>A new tape of this cell (sizes already checked).</summary>
    private protected abstract TTape NewTape(int batch, int time);

    /// <summary>The cell's recurrent step over one [batch, hidden] block, for <see cref="Simulate"/> and for the default
    /// <see cref="ForwardSteps"/>: made once per run, it holds the run's packed weights and scratch.</summary>
    private protected abstract SimulationStep CreateStep(int batch, IsaTier tier);

    /// <summary>
    /// The recurrence of a forward pass: from tape.InitialHiddenBuffer (h_0) and tape.NoisyInputBuffer (x̃), writes h_t
    /// for every step into tape.HiddenBuffer, h_t = f(h_{t-1}, x̃_t) + <paramref name="noiseStd"/>·xi_t with xi from
    /// <paramref name="noise"/> ([batch, time, hidden], or null for none), and whatever the cell's backward steps read.
    /// The default runs <see cref="CreateStep"/> step by step; the library's cells override it with loops that keep the
    /// step's pre-activations and split the batch over the cores.
    /// </summary>
    private protected virtual void ForwardSteps(TTape tape, float[]? noise, float noiseStd, IsaTier tier, int threads)
    {
        int batch = tape.Batch, time = tape.Time, nH = Options.HiddenSize, nIn = Options.InputSize;
        SimulationStep step = CreateStep(batch, tier);
        float[] h = (float[])tape.InitialHiddenBuffer.Clone();
        float[]? xi = noise is null ? null : new float[batch * nH];
        float[] hidden = tape.HiddenBuffer;
        for (int t = 0; t < time; t++)
        {
            if (xi is not null)
            {
                for (int b = 0; b < batch; b++) noise.AsSpan((b * time + t) * nH, nH).CopyTo(xi.AsSpan(b * nH, nH));
            }
            step.Advance(h, tape.NoisyInputBuffer.AsSpan(t * nIn), time * nIn, xi, noiseStd, tier, threads);
            for (int b = 0; b < batch; b++) h.AsSpan(b * nH, nH).CopyTo(hidden.AsSpan((b * time + t) * nH, nH));
        }
    }

    /// <summary>
    /// Back-propagation through the recurrence, from tape.HiddenGradient (dL/dh_t's readout part, [batch, time, hidden],
    /// which it may overwrite): ADDS the gradients of every parameter of f into <paramref name="gradient"/> and WRITES
    /// dL/dh_0 into tape.InitialHiddenGradient ([batch, hidden], allocated). The encoder's and the readout's gradients are
    /// formed by the base.
    /// </summary>
    private protected abstract void BackwardSteps(TTape tape, ParameterSet gradient, IsaTier tier, int threads);

    // ---- Shared by every cell ----

    /// <summary>Creates the workspace of a forward pass and its BPTT at (batch, time); reuse it for every pass of that size.</summary>
    /// <param name="batch">Trajectories per pass; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; &gt; 0.</param>
    /// <returns>A new tape (a few batch·time·hidden floats per buffer the cell keeps, see the tape type).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="time"/> is not positive, or a
    /// [batch, time, width] buffer would exceed <see cref="Array.MaxLength"/> elements (ParamName "batch").</exception>
    public TTape CreateTape(int batch, int time)
    {
        NetworkOptionsChecks.TapeSize(Options, batch, time);
        return NewTape(batch, time);
    }

    RecurrentTape IRecurrentNetwork.CreateTape(int batch, int time) => CreateTape(batch, time);

    void IRecurrentNetwork.Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, RecurrentTape tape) =>
        Forward(inputs, initState, noise, streams, AsOwnTape(tape));

    void IRecurrentNetwork.Backward(RecurrentTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient) =>
        Backward(AsOwnTape(tape), outputGradient, gradient);

    double IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets,
        NoiseLevels noise, NoiseStreams streams, RecurrentTape tape, ParameterSet gradient) =>
        ForwardBackwardMse(inputs, initState, targets, noise, streams, AsOwnTape(tape), gradient);

    double IRecurrentNetwork.ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ITargetRows targets,
        NoiseLevels noise, NoiseStreams streams, RecurrentTape tape, ParameterSet gradient) =>
        ForwardBackwardMse(inputs, initState, targets, noise, streams, AsOwnTape(tape), gradient);

    string IReadoutCell.ReadoutWeight => ReadoutWeightName;

    string? IReadoutCell.ReadoutBias => ReadoutBiasName;

    void IReadoutCell.CheckOwnTape(RecurrentTape tape) => CheckTape(AsOwnTape(tape));

    void IReadoutCell.ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams,
        RecurrentTape tape) => ForwardRecurrent(inputs, initState, noise, streams, AsOwnTape(tape));

    void IReadoutCell.BackwardRecurrent(RecurrentTape tape, ParameterSet gradient) => BackwardRecurrent(AsOwnTape(tape), gradient);

    SimulationStep ISimulatedCell.CreateSimulationStep(int batch, IsaTier tier) => CreateStep(batch, tier);

    /// <summary>
    /// Adaptation and momentum in this network's own dynamics (<see cref="DynamicsModifiers"/>; the modified step of each
    /// cell is in its class remarks): used by <see cref="Forward"/>, its back-propagation (<see cref="Backward"/>, through the
    /// adaptation current a and the velocity w), the fused training pass (<see cref="ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, TTape, ParameterSet)"/>)
    /// and <see cref="Simulate"/>, and under the quiescence modifiers of <see cref="Analysis.Quiescence"/> (a quiescence
    /// modifier left at its default keeps this value). Not saved in the checkpoint's tensors: an experiment records it in its
    /// config (<c>training_momentum</c>, <c>training_adaptation</c>, <c>training_adaptation_tau</c>).
    /// <see cref="DynamicsModifiers.None"/> (default) is the paper's cell, and its passes are the same bits and the same code
    /// as without this property. A forward pass keeps the modifiers it ran with for its backward pass.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">A leak override (<see cref="DynamicsModifiers.Leak"/> not null): the leak of
    /// training is the network's own Dt/TimeConstant (ParamName "Dynamics").</exception>
    /// <exception cref="NotSupportedException">Modifiers other than None for a cell whose training passes have no modified
    /// step (the library's <see cref="VanillaRnn"/> and <see cref="GruRnn"/> have one).</exception>
    public DynamicsModifiers Dynamics
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Dynamics));
            if (value.Leak is { } leak)
                throw new ArgumentException($"Dynamics.Leak must be null: a network's own leak is Dt/TimeConstant = {Options.Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
                                            $"(change Dt or TimeConstant to train with another); got {leak.ToString(System.Globalization.CultureInfo.InvariantCulture)}. " +
                                            "A leak override applies to quiescence only.", nameof(Dynamics));
            if (!value.IsNone && !TrainsWithDynamics)
                throw new NotSupportedException($"The {Kind} cell's training passes have no adaptation or momentum step; expected Dynamics = None, got {value}.");
            field = value;
        }
    } = DynamicsModifiers.None;

    /// <summary>Whether the cell's forward and backward steps run <see cref="Dynamics"/> (the modified step of
    /// <see cref="RecurrentTape.Modified"/>); false for a cell that does not, which then refuses modifiers.</summary>
    private protected virtual bool TrainsWithDynamics => false;

    /// <summary>Takes the modified forward and backward loops even when <see cref="Dynamics"/> is None (tests: with M = 0 and
    /// b = 0 they give the standard loops' bits).</summary>
    internal bool ForceModifiedLoops { get; set; }

    private TTape AsOwnTape(RecurrentTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape as TTape ?? throw new ArgumentException($"A {GetType().Name} needs a {typeof(TTape).Name}; got a {tape.GetType().Name}.", nameof(tape));
    }

    private void CheckTape(TTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (!Equals(tape.NetworkOptions, Options)) throw new ArgumentException("The tape was created for a model with other options.", nameof(tape));
    }

    /// <summary>
    /// Runs the network over a batch of trajectories and records everything BPTT needs in <paramref name="tape"/>
    /// (equations in the class remarks). For every stream whose std is &gt; 0, exactly one call draws the whole
    /// [batch, time, n] block: <see cref="INoiseSource.Fill"/> in row-major order for the input (n = input) and output
    /// (n = output) noise, and <see cref="INoiseSource.FillRows"/> with one row of time·hidden draws per trajectory for the
    /// recurrent noise (the same values as Fill for sources without their own FillRows, such as <see cref="Reference.ReplayNoiseSource"/>;
    /// per-trajectory substreams for <see cref="GaussianNoiseSource"/>). Streams with std 0 are not touched, so noise-free
    /// runs draw nothing.
    /// </summary>
    /// <param name="inputs">x, [batch, time, input] row-major; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="noise">Per-step stds of the input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/>; its Batch and Time give the sizes.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, a value is not finite, the tape belongs to other
    /// options, or a stream needed by a positive std is null.</exception>
    /// <exception cref="InvalidOperationException">A replayed noise stream ran out of draws.</exception>
    public void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, TTape tape)
    {
        ForwardRecurrent(inputs, initState, noise, streams, tape);
        var o = Options;
        int rows = tape.Batch * tape.Time, nH = o.HiddenSize, nOut = o.OutputSize;
        ParameterSet p = Parameters;

        // y_t = W_out h_t (+ b_out) + OutputStd·xi_out_t, all steps at once.
        float[] y = tape.OutputBuffer;
        Gemm.MultiplyTransposedB(tape.HiddenBuffer, p[ReadoutWeightName], y, rows, nOut, nH);
        if (ReadoutBiasName is { } bias) LayerMath.AddToRows(y, rows, p[bias]);
        if (noise.OutputStd > 0f)
        {
            float[] xi = tape.OutputNoise ??= new float[rows * nOut];
            streams.Output!.Fill(xi);
            TensorPrimitives.MultiplyAdd(xi, noise.OutputStd, y, y);
        }
        tape.HasForward = true;
        tape.HasOutputs = true;
    }

    /// <summary>Everything of <see cref="Forward"/> before the readout: checks, h_0, noisy inputs, the recurrence. Leaves
    /// HasForward and HasOutputs false.</summary>
    private void ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, TTape tape)
    {
        CheckTape(tape);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(streams);
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        int rows = batch * time;
        Guard.Length(inputs.Length, (long)rows * nIn, nameof(inputs), $"[batch, time, input] = [{batch}, {time}, {nIn}]");
        Guard.Length(initState.Length, (long)batch * o.InitSize, nameof(initState), $"[batch, init] = [{batch}, {o.InitSize}]");
        Guard.AllFinite(inputs, nameof(inputs));
        Guard.AllFinite(initState, nameof(initState));
        if ((noise.InputStd > 0f && streams.Input is null) || (noise.RecurrentStd > 0f && streams.Recurrent is null) || (noise.OutputStd > 0f && streams.Output is null))
            throw new ArgumentException("streams needs a source for every noise site whose std is > 0.", nameof(streams));
        tape.HasForward = false;
        tape.HasOutputs = false;
        ParameterSet p = Parameters;

        // h_0 = W_enc s (+ b_enc)
        initState.CopyTo(tape.InitialStateBuffer);
        Gemm.MultiplyTransposedB(initState, p[EncoderWeightName], tape.InitialHiddenBuffer, batch, nH, o.InitSize);
        if (EncoderBiasName is { } encoderBias) LayerMath.AddToRows(tape.InitialHiddenBuffer, batch, p[encoderBias]);

        // x̃_t = x_t + InputStd·xi_in_t  (one [batch, time, input] block of draws)
        if (noise.InputStd > 0f)
        {
            float[] xi = tape.InputNoise ??= new float[rows * nIn];
            streams.Input!.Fill(xi);
            TensorPrimitives.MultiplyAdd(xi, noise.InputStd, inputs, tape.NoisyInputBuffer);
        }
        else
        {
            inputs.CopyTo(tape.NoisyInputBuffer);
        }

        float[]? recurrentNoise = null;
        if (noise.RecurrentStd > 0f)
        {
            recurrentNoise = tape.RecurrentNoise ??= new float[rows * nH];
            streams.Recurrent!.FillRows(recurrentNoise, time * nH);
        }
        // The modified step only when a modifier is set: the default passes are the standard loops.
        tape.SetDynamics(ForceModifiedLoops || !Dynamics.IsNone ? Dynamics : null, noise.RecurrentStd);
        ForwardSteps(tape, recurrentNoise, noise.RecurrentStd, Isa.Tier, Gemm.MaxThreads);
    }

    /// <summary>
    /// Back-propagation through time of the last <see cref="Forward"/> recorded in <paramref name="tape"/>, using the
    /// current parameters (do not change them in between). ADDS (+=) dL/dθ for every parameter into
    /// <paramref name="gradient"/>; the caller zeroes it. The readout, input and encoder weight gradients are batched over
    /// all steps; the recurrent part runs step by step backwards.
    /// </summary>
    /// <param name="tape">The tape of a completed forward pass of this model.</param>
    /// <param name="outputGradient">dL/dy, [batch, time, output] row-major (for the mean-squared error: 2(y - target)/count).</param>
    /// <param name="gradient">Receives the gradients; same layout as <see cref="Parameters"/> (use <c>Parameters.CloneEmpty()</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, <paramref name="outputGradient"/> is not finite,
    /// the gradient has another layout or is the model's own Parameters, or the tape has no forward pass.</exception>
    public void Backward(TTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient)
    {
        CheckTape(tape);
        ArgumentNullException.ThrowIfNull(gradient);
        if (!tape.HasForward) throw new ArgumentException("The tape holds no forward pass; call Forward first.", nameof(tape));
        TrainingPass.CheckGradient(Parameters, gradient);
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nH = o.HiddenSize, nOut = o.OutputSize;
        int rows = batch * time;
        Guard.Length(outputGradient.Length, (long)rows * nOut, nameof(outputGradient), $"[batch, time, output] = [{batch}, {time}, {nOut}]");
        Guard.AllFinite(outputGradient, nameof(outputGradient));
        ParameterSet p = Parameters;
        float[] dh = tape.HiddenGradient ??= new float[rows * nH];

        // y_t = W_out h_t + b_out:  dW_out += dYᵀ·H,  db_out += Σ dY,  dH = dY·W_out (direct readout part of dL/dh_t).
        Gemm.MultiplyTransposedA(outputGradient, tape.HiddenBuffer, gradient[ReadoutWeightName], nOut, nH, rows, accumulate: true);
        if (ReadoutBiasName is { } bias) LayerMath.SumRowsInPieces(outputGradient, rows, nOut, nH, gradient[bias]);
        Gemm.Multiply(outputGradient, p[ReadoutWeightName], dh, rows, nH, nOut);
        BackwardRecurrent(tape, gradient);
    }

    /// <summary>BPTT below the readout, from dL/dh_t's readout part in tape.HiddenGradient: the cell's backward steps, then
    /// the encoder's gradients (ADDED into <paramref name="gradient"/>).</summary>
    private void BackwardRecurrent(TTape tape, ParameterSet gradient)
    {
        int batch = tape.Batch;
        BackwardSteps(tape, gradient, Isa.Tier, Gemm.MaxThreads);
        float[] dh0 = tape.InitialHiddenGradient!;

        // h_0 = W_enc s (+ b_enc):  db_enc += Σ dh_0,  dW_enc += dh_0ᵀ·s
        if (EncoderBiasName is { } encoderBias) LayerMath.SumRows(dh0, batch, gradient[encoderBias]);
        Gemm.MultiplyTransposedA(dh0, tape.InitialStateBuffer, gradient[EncoderWeightName], Options.HiddenSize, Options.InitSize, batch, accumulate: true);
    }

    /// <summary>
    /// One training pass in one call: <see cref="Forward"/>, the mean-squared error of the readouts against
    /// <paramref name="targets"/> (<see cref="Training.MseLoss.Compute"/>) and <see cref="Backward"/> with dL/dy =
    /// 2(y - target)/count. When the readout's weight gradient is deep enough to be cut into pieces (batch·time of at
    /// least 4096 rows, as the paper's 200 x 100 batches, with fewer than 4096 outputs and hidden units) the readout, the
    /// loss and the readout's back-propagation run block by block of 256 rows in cache, and the [batch, time, output]
    /// outputs and their gradient are never written; otherwise the three separate calls run. Either way the gradient,
    /// dL/dh and the noise draws are the same bits as the separate calls, and so is the loss when the output count is a
    /// multiple of 16 (otherwise it differs in rounding only). Afterwards the tape holds the hidden states
    /// (<see cref="RecurrentTape.HasForward"/>) but not the outputs (<see cref="RecurrentTape.HasOutputs"/> is false when
    /// the fused path ran).
    /// </summary>
    /// <param name="inputs">x, [batch, time, input] row-major; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="targets">Target codes, [batch, time, output] row-major (place- or head-direction-cell activity).</param>
    /// <param name="noise">Per-step stds of the input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites, drawn exactly as by <see cref="Forward"/>.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/>; its Batch and Time give the sizes.</param>
    /// <param name="gradient">Receives dL/dθ ADDED (+=) to what it holds (the caller zeroes it); the parameter layout.</param>
    /// <returns>mean((y - target)²) over [batch, time, output]; not finite when the readout overflowed or became NaN, and then
    /// <paramref name="gradient"/> is left as it was (the trainer reports divergence at that step).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, an input is not finite, the tape belongs to
    /// other options, a stream needed by a positive std is null, the gradient has another layout or is the model's own
    /// Parameters, or a target is not finite (checked only when the loss is not finite; ParamName "targets").</exception>
    /// <exception cref="InvalidOperationException">A replayed noise stream ran out of draws.</exception>
    public double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets, NoiseLevels noise,
        NoiseStreams streams, TTape tape, ParameterSet gradient) =>
        TrainingPass.Run(this, inputs, initState, targets, null, noise, streams, tape, gradient);

    /// <summary>
    /// <see cref="ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, TTape, ParameterSet)"/>
    /// with the targets written block by block on demand by <paramref name="targets"/> (for example
    /// <see cref="Tasks.IPathIntegrationBatch.TargetRows"/> of a batch drawn with its targets deferred), so that they are
    /// produced in cache beside the readout instead of being read from a [batch, time, output] array. Same bits as the
    /// overload given the same target values.
    /// </summary>
    /// <param name="inputs">x, [batch, time, input] row-major; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="targets">The targets, RowCount = batch·time rows of Width = output values.</param>
    /// <param name="noise">Per-step stds of the input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites, drawn exactly as by <see cref="Forward"/>.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/>; its Batch and Time give the sizes.</param>
    /// <param name="gradient">Receives dL/dθ ADDED (+=) to what it holds (the caller zeroes it); the parameter layout.</param>
    /// <returns>mean((y - target)²); not finite when the readout diverged, and then <paramref name="gradient"/> is left as it was.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As the other overload; the targets' RowCount or Width does not fit (ParamName "targets").</exception>
    /// <exception cref="InvalidOperationException">A replayed noise stream ran out of draws.</exception>
    public double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ITargetRows targets, NoiseLevels noise,
        NoiseStreams streams, TTape tape, ParameterSet gradient)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return TrainingPass.Run(this, inputs, initState, default, targets, noise, streams, tape, gradient);
    }

    /// <summary>Encodes initial-state codes into initial hidden states: h_0 = W_enc s (+ b_enc).</summary>
    /// <param name="initState">s, [batch, init] row-major; finite.</param>
    /// <param name="batch">Number of codes; &gt; 0.</param>
    /// <param name="hidden">Receives h_0, [batch, hidden].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape or <paramref name="initState"/> is not finite.</exception>
    public void Encode(ReadOnlySpan<float> initState, int batch, Span<float> hidden)
    {
        Guard.Positive(batch);
        Guard.Length(initState.Length, (long)batch * Options.InitSize, nameof(initState), $"[batch, init] = [{batch}, {Options.InitSize}]");
        Guard.Length(hidden.Length, (long)batch * Options.HiddenSize, nameof(hidden), $"[batch, hidden] = [{batch}, {Options.HiddenSize}]");
        Guard.AllFinite(initState, nameof(initState));
        Gemm.MultiplyTransposedB(initState, Parameters[EncoderWeightName], hidden, batch, Options.HiddenSize, Options.InitSize);
        if (EncoderBiasName is { } encoderBias) LayerMath.AddToRows(hidden, batch, Parameters[encoderBias]);
    }

    /// <summary>
    /// Runs the dynamics from given hidden states without a tape (inference, quiescence): the cell's step
    /// h_t = f(h_{t-1}, x_t) + recurrentStd·xi_t and y_t = W_out h_t (+ b_out), with no input or output noise. The loop is
    /// the one of the quiescence runner (<see cref="Analysis.Quiescence"/>, which adds the quiescence <see cref="DynamicsModifiers"/>),
    /// with the cell's own trained modifiers (<see cref="Dynamics"/>) when it has any. Recurrent
    /// draws are taken one [batch, hidden] block per step (not one [batch, time, hidden] block as in <see cref="Forward"/>).
    /// Memory beyond the requested outputs: O(batch·hidden) plus one packed copy of each recurrent weight (and of W_out
    /// when outputs are asked for).
    /// </summary>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="inputs">x, [batch, time, input]; or empty for zero input (quiescence); finite.</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps; &gt; 0.</param>
    /// <param name="recurrentStd">Per-step std of the recurrent noise; finite and &gt;= 0 (quiescence: see <see cref="QuiescentNoise"/>).</param>
    /// <param name="recurrentNoise">Source of raw recurrent draws (not used when <paramref name="recurrentStd"/> is 0).</param>
    /// <param name="hidden">Receives h_t, [batch, time, hidden]; or empty to skip.</param>
    /// <param name="outputs">Receives y_t, [batch, time, output]; or empty to skip.</param>
    /// <exception cref="ArgumentNullException"><paramref name="recurrentNoise"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">batch or time is not positive, or recurrentStd is negative or not finite.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape or an input is not finite.</exception>
    /// <exception cref="SimulationDivergedException">The hidden state became non-finite; <see cref="SimulationDivergedException.Step"/> says when.
    /// <paramref name="recurrentNoise"/> may then have been drawn for some steps past it (zero-input runs draw a stretch
    /// of steps ahead); draws up to the step of divergence are the same as always.</exception>
    public void Simulate(ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> inputs, int batch, int time, float recurrentStd,
        INoiseSource recurrentNoise, Span<float> hidden, Span<float> outputs)
    {
        Guard.Positive(batch);
        Guard.Positive(time);
        Guard.NonNegative((double)recurrentStd, nameof(recurrentStd));
        ArgumentNullException.ThrowIfNull(recurrentNoise);
        var o = Options;
        int nIn = o.InputSize, nH = o.HiddenSize, nOut = o.OutputSize;
        Guard.Length(initialHidden.Length, (long)batch * nH, nameof(initialHidden), $"[batch, hidden] = [{batch}, {nH}]");
        if (!inputs.IsEmpty) Guard.Length(inputs.Length, (long)batch * time * nIn, nameof(inputs), $"[batch, time, input] = [{batch}, {time}, {nIn}] or empty");
        if (!hidden.IsEmpty) Guard.Length(hidden.Length, (long)batch * time * nH, nameof(hidden), $"[batch, time, hidden] = [{batch}, {time}, {nH}] or empty");
        if (!outputs.IsEmpty) Guard.Length(outputs.Length, (long)batch * time * nOut, nameof(outputs), $"[batch, time, output] = [{batch}, {time}, {nOut}] or empty");
        Guard.AllFinite(initialHidden, nameof(initialHidden));
        Guard.AllFinite(inputs, nameof(inputs));

        new SimulationRun(this, initialHidden, batch, recurrentStd, recurrentNoise, DynamicsModifiers.None, readout: !outputs.IsEmpty,
            checkReadout: false, totalSteps: time).Advance(inputs, time, hidden, outputs);
    }
}

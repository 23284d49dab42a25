using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// Continuous-time (leaky) vanilla RNN with noise injection, trained by back-propagation through time
/// (Krishna et al., ICLR 2024; reference: <c>RNN</c> in RNNReactivation; THEORY.md, "Noisy dynamics").
/// Per step t, with alpha = Dt / TimeConstant:
/// <code>
/// h_0 = W_enc s                                   (s: initial-state code, [batch, init])
/// x̃_t = x_t + InputStd·xi_in_t
/// u_t = W_rec h_{t-1} + W_in x̃_t (+ b_rec)
/// h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + RecurrentStd·xi_rec_t
/// y_t = W_out h_t (+ b_out) + OutputStd·xi_out_t
/// </code>
/// Parameters (PyTorch <c>nn.Linear</c> layout [out, in], y = x·Wᵀ), in buffer order: <c>encoder.weight</c> [hidden, init],
/// <c>w_in.weight</c> [hidden, input], <c>w_rec.weight</c> [hidden, hidden], <c>w_rec.bias</c> [hidden] (only with
/// <see cref="VanillaRnnOptions.UseBias"/>; the recurrent pre-activation bias b_rec), <c>w_out.weight</c> [output, hidden],
/// <c>w_out.bias</c> [output] (only with UseBias). The noise streams give raw draws; the model multiplies them by the stds.
/// Not thread-safe: use one instance (or one tape) per thread.
/// </summary>
public sealed class VanillaRnn : IRecurrentNetwork, IReadoutCell
{
    /// <summary>Name of the encoder weight W_enc, [hidden, init].</summary>
    public const string EncoderWeight = "encoder.weight";

    /// <summary>Name of the input weight W_in, [hidden, input].</summary>
    public const string InputWeight = "w_in.weight";

    /// <summary>Name of the recurrent weight W_rec, [hidden, hidden].</summary>
    public const string RecurrentWeight = "w_rec.weight";

    /// <summary>Name of the recurrent pre-activation bias b_rec, [hidden] (only with UseBias).</summary>
    public const string RecurrentBias = "w_rec.bias";

    /// <summary>Name of the readout weight W_out, [output, hidden].</summary>
    public const string OutputWeight = "w_out.weight";

    /// <summary>Name of the readout bias b_out, [output] (only with UseBias).</summary>
    public const string OutputBias = "w_out.bias";

    /// <summary>Creates a model with all parameters zero.</summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="VanillaRnnOptions.Validate"/>).</exception>
    public VanillaRnn(VanillaRnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Parameters = new ParameterSet(Layout(options));
    }

    /// <summary>
    /// Creates a model initialised like PyTorch's <c>nn.Linear</c> default: every weight (and bias) of a layer with fan-in
    /// f drawn from U(-1/sqrt(f), 1/sqrt(f)), from a seeded xoshiro256** generator in buffer order.
    /// </summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <returns>The initialised model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static VanillaRnn CreateInitialized(VanillaRnnOptions options, ulong seed)
    {
        var model = new VanillaRnn(options);
        LayerMath.InitializeUniformFanIn(model.Parameters, seed, name => name switch
        {
            EncoderWeight => options.InitSize,
            InputWeight => options.InputSize,
            _ => options.HiddenSize, // w_rec.*, w_out.*
        });
        return model;
    }

    private static IEnumerable<(string, int[])> Layout(VanillaRnnOptions o)
    {
        yield return (EncoderWeight, new[] { o.HiddenSize, o.InitSize });
        yield return (InputWeight, new[] { o.HiddenSize, o.InputSize });
        yield return (RecurrentWeight, new[] { o.HiddenSize, o.HiddenSize });
        if (o.UseBias) yield return (RecurrentBias, new[] { o.HiddenSize });
        yield return (OutputWeight, new[] { o.OutputSize, o.HiddenSize });
        if (o.UseBias) yield return (OutputBias, new[] { o.OutputSize });
    }

    /// <summary>Sizes and time constants (validated).</summary>
    public VanillaRnnOptions Options { get; }

    /// <summary>Checkpoint name of this cell: <c>vanilla</c>.</summary>
    public const string ModelKind = "vanilla";

    /// <inheritdoc />
    public string Kind => ModelKind;

    /// <inheritdoc />
    public IRecurrentNetworkOptions NetworkOptions => Options;

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

    string IReadoutCell.ReadoutWeight => OutputWeight;

    string? IReadoutCell.ReadoutBias => Options.UseBias ? OutputBias : null;

    void IReadoutCell.CheckOwnTape(RecurrentTape tape) => CheckTape(AsOwnTape(tape));

    void IReadoutCell.ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams,
        RecurrentTape tape) => ForwardRecurrent(inputs, initState, noise, streams, AsOwnTape(tape));

    void IReadoutCell.BackwardRecurrent(RecurrentTape tape, ParameterSet gradient) => BackwardRecurrent(AsOwnTape(tape), gradient);

    private static ForwardTape AsOwnTape(RecurrentTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape as ForwardTape ?? throw new ArgumentException($"A vanilla RNN needs a {nameof(ForwardTape)}; got a {tape.GetType().Name}.", nameof(tape));
    }

    /// <summary>All parameters in one contiguous buffer with named views (see the class remarks for names and shapes).</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Creates the workspace of a forward pass and its BPTT at (batch, time); reuse it for every pass of that size.</summary>
    /// <param name="batch">Trajectories per pass; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; &gt; 0.</param>
    /// <returns>A new tape (about 3·batch·time·hidden floats, plus 2·batch·time·hidden more after the first backward pass).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="time"/> is not positive, or a
    /// [batch, time, n] buffer would exceed <see cref="Array.MaxLength"/> elements (ParamName "batch").</exception>
    public ForwardTape CreateTape(int batch, int time)
    {
        NetworkOptionsChecks.TapeSize(Options, batch, time);
        return new ForwardTape(Options, batch, time);
    }

    private void CheckTape(ForwardTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (tape.Options != Options) throw new ArgumentException("The tape was created for a model with other options.", nameof(tape));
    }

    /// <summary>
    /// Runs the network over a batch of trajectories and records everything BPTT needs in <paramref name="tape"/>
    /// (equations in the class remarks). For every stream whose std is &gt; 0, exactly one call draws the whole
    /// [batch, time, n] block: <see cref="INoiseSource.Fill"/> in row-major order for the input (n = input) and output
    /// (n = output) noise, and <see cref="INoiseSource.FillRows"/> with one row of time·hidden draws per trajectory for the
    /// recurrent noise (the same values as Fill for sources without their own FillRows, such as <see cref="ReplayNoiseSource"/>;
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
    public void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, ForwardTape tape)
    {
        ForwardRecurrent(inputs, initState, noise, streams, tape);
        var o = Options;
        int rows = tape.Batch * tape.Time, nH = o.HiddenSize, nOut = o.OutputSize;
        ParameterSet p = Parameters;

        // y_t = W_out h_t (+ b_out) + OutputStd·xi_out_t, all steps at once.
        float[] y = tape.OutputBuffer;
        Gemm.MultiplyTransposedB(tape.HiddenBuffer, p[OutputWeight], y, rows, nOut, nH);
        if (o.UseBias) LayerMath.AddToRows(y, rows, p[OutputBias]);
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
    private void ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, ForwardTape tape)
    {
        CheckTape(tape);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(streams);
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize, nOut = o.OutputSize;
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
        IsaTier tier = Isa.Tier;
        int threads = Gemm.MaxThreads;

        // h_0 = W_enc s
        initState.CopyTo(tape.InitialStateBuffer);
        Gemm.MultiplyTransposedB(initState, p[EncoderWeight], tape.InitialHiddenBuffer, batch, nH, o.InitSize);

        // x̃_t = x_t + InputStd·xi_in_t  (one [batch, time, input] block of draws)
        if (noise.InputStd > 0f)
        {
            float[] xi = tape.InputNoise ??= new float[rows * nIn];
            streams.Input.Fill(xi);
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
            streams.Recurrent.FillRows(recurrentNoise, time * nH);
        }

        // u_t needs h_{t-1}·W_recᵀ at every step: pack W_rec into GEMM panels once for the whole pass.
        PackedMatrix wRecPacked = tape.RecurrentWeightPacked;
        wRecPacked.PackTransposed(p[RecurrentWeight], nH, nH, tier);
        float[] h = tape.HiddenBuffer;
        // For t = 0 .. time - 1: u_t += W_rec h_{t-1}, then h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + RecurrentStd·xi_rec_t;
        // rows of the batch are independent, so parts of the batch run the whole loop on different cores.
        // Each part first computes the input part of u_t for its rows and all steps, U = X̃·W_inᵀ (+ b_rec) (on all cores;
        // the same arithmetic per element as one product over batch·time rows).
        ForwardRecurrence loop = tape.ForwardLoop;
        loop.Parameters = p;
        loop.Noise = recurrentNoise;
        loop.NoiseScale = noise.RecurrentStd;
        loop.RunAll(tier, threads);
    }

    /// <summary>
    /// Back-propagation through time of the last <see cref="Forward"/> recorded in <paramref name="tape"/>, using the
    /// current parameters (do not change them in between). ADDS (+=) dL/dθ for every parameter into
    /// <paramref name="gradient"/>; the caller zeroes it. The readout and the input/encoder weight gradients are
    /// batched over all steps; the recurrent part runs step by step backwards.
    /// </summary>
    /// <param name="tape">The tape of a completed forward pass of this model.</param>
    /// <param name="outputGradient">dL/dy, [batch, time, output] row-major (for the mean-squared error: 2(y - target)/count).</param>
    /// <param name="gradient">Receives the gradients; same layout as <see cref="Parameters"/> (use <c>Parameters.CloneEmpty()</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, <paramref name="outputGradient"/> is not finite,
    /// the gradient has another layout or is the model's own Parameters, or the tape has no forward pass.</exception>
    public void Backward(ForwardTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient)
    {
        CheckTape(tape);
        ArgumentNullException.ThrowIfNull(gradient);
        if (!tape.HasForward) throw new ArgumentException("The tape holds no forward pass; call Forward first.", nameof(tape));
        TrainingPass.CheckGradient(Parameters, gradient);
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize, nOut = o.OutputSize;
        int rows = batch * time;
        Guard.Length(outputGradient.Length, (long)rows * nOut, nameof(outputGradient), $"[batch, time, output] = [{batch}, {time}, {nOut}]");
        Guard.AllFinite(outputGradient, nameof(outputGradient));
        ParameterSet p = Parameters;
        IsaTier tier = Isa.Tier;
        int threads = Gemm.MaxThreads;
        float[] dh = tape.HiddenGradient ??= new float[rows * nH];

        // y_t = W_out h_t + b_out:  dW_out += dYᵀ·H,  db_out += Σ dY,  dH = dY·W_out (direct readout part of dL/dh_t).
        Gemm.MultiplyTransposedA(outputGradient, tape.HiddenBuffer, gradient[OutputWeight], nOut, nH, rows, accumulate: true);
        if (o.UseBias) LayerMath.SumRowsInPieces(outputGradient, rows, nOut, nH, gradient[OutputBias]);
        Gemm.Multiply(outputGradient, p[OutputWeight], dh, rows, nH, nOut);
        BackwardRecurrent(tape, gradient);
    }

    /// <summary>BPTT below the readout, from dL/dh_t's readout part in tape.HiddenGradient: the recurrence, dW_rec, dW_in,
    /// db_rec and dW_enc (ADDED into <paramref name="gradient"/>).</summary>
    private void BackwardRecurrent(ForwardTape tape, ParameterSet gradient)
    {
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        int rows = batch * time;
        ParameterSet p = Parameters;
        IsaTier tier = Isa.Tier;
        int threads = Gemm.MaxThreads;
        float[] du = tape.PreActivationGradient ??= new float[rows * nH];
        float[] dh0 = tape.InitialHiddenGradient ??= new float[batch * nH];

        float[] h = tape.HiddenBuffer;
        Span<float> dWrec = gradient[RecurrentWeight];
        // dh_{t-1} needs du_t·W_rec at every step: pack W_rec once for the whole pass.
        PackedMatrix wRecPacked = tape.RecurrentWeightPacked;
        wRecPacked.Pack(p[RecurrentWeight], nH, nH, tier);
        // For s = time - 1 .. 0: du_s = dh_s · alpha · act'(u_s), dh_{s-1} += (1 - alpha) dh_s + du_s·W_rec; parts of the
        // batch run the whole loop on different cores (rows are independent here).
        BackwardRecurrence loop = tape.BackwardLoop;
        // dW_in and db_rec of narrow inputs (velocities, angular velocity) are summed inside the loop; see below otherwise.
        bool fuseInputs = nIn <= BackwardRecurrence.MaxFusedInputs;
        loop.InputPartials = fuseInputs ? tape.InputGradientPartials ??= new float[loop.PartialsLength] : null;
        loop.RunAll(tier, threads);
        if (fuseInputs) loop.AddInputGradients(gradient[InputWeight], o.UseBias ? gradient[RecurrentBias] : default);

        // u_t = W_rec h_{t-1} + ...:  dW_rec += Σ_{b,t} du_t[b]ᵀ h_{t-1}[b], as one product over batch·time rows.
        float[] du0 = tape.FirstStepGradient ??= new float[batch * nH];
        BatchParts.AddPreviousStateProduct(du, du0, h, tape.InitialHiddenBuffer, dWrec, batch, time, nH, tier, threads);

        if (!fuseInputs)
        {
            // u_t = ... + W_in x̃_t + b_rec:  dW_in += dUᵀ·X̃,  db_rec += Σ dU  (all steps at once).
            Gemm.MultiplyTransposedA(du, tape.NoisyInputBuffer, gradient[InputWeight], nH, nIn, rows, accumulate: true);
            if (o.UseBias) LayerMath.SumRows(du, rows, gradient[RecurrentBias]);
        }

        // h_0 = W_enc s:  dW_enc += dh_0ᵀ·s
        Gemm.MultiplyTransposedA(dh0, tape.InitialStateBuffer, gradient[EncoderWeight], nH, o.InitSize, batch, accumulate: true);
    }

    /// <summary>
    /// One training pass in one call: <see cref="Forward"/>, the mean-squared error of the readouts against
    /// <paramref name="targets"/> (<see cref="Training.MseLoss.Compute"/>) and <see cref="Backward"/> with dL/dy =
    /// 2(y - target)/count. When the readout's weight gradient is deep enough to be cut into pieces (batch·time of at
    /// least 4096 rows, as the paper's 200 x 100 batches, with fewer than 4096 outputs and hidden units) the readout, the loss and the readout's back-propagation run block
    /// by block of 256 rows in cache, and the [batch, time, output] outputs and their gradient are never written (about
    /// 250 MB less memory traffic per paper step); otherwise the three separate calls run. Either way the gradient, dL/dh and
    /// the noise draws are the same bits as the separate calls, and so is the loss when the output count is a multiple of 16
    /// (otherwise it differs in rounding only). Afterwards the tape holds the hidden states (<see cref="RecurrentTape.HasForward"/>)
    /// but not the outputs (<see cref="RecurrentTape.HasOutputs"/> is false when the fused path ran).
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
    /// other options, a stream needed by a positive std is null, the gradient has another layout or is the model's own Parameters, or a target is not finite
    /// (checked only when the loss is not finite; ParamName "targets").</exception>
    /// <exception cref="InvalidOperationException">A replayed noise stream ran out of draws.</exception>
    public double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets, NoiseLevels noise,
        NoiseStreams streams, ForwardTape tape, ParameterSet gradient) =>
        TrainingPass.Run(this, inputs, initState, targets, null, noise, streams, tape, gradient);

    /// <summary>
    /// <see cref="ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, ForwardTape, ParameterSet)"/>
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
        NoiseStreams streams, ForwardTape tape, ParameterSet gradient)
    {
        ArgumentNullException.ThrowIfNull(targets);
        return TrainingPass.Run(this, inputs, initState, default, targets, noise, streams, tape, gradient);
    }

    /// <summary>Encodes initial-state codes into initial hidden states: h_0 = W_enc s.</summary>
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
        Gemm.MultiplyTransposedB(initState, Parameters[EncoderWeight], hidden, batch, Options.HiddenSize, Options.InitSize);
    }

    /// <summary>
    /// Runs the dynamics from given hidden states without a tape (inference, quiescence):
    /// u_t = W_rec h_{t-1} + W_in x_t (+ b_rec), h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + recurrentStd·xi_t,
    /// y_t = W_out h_t (+ b_out). No input or output noise. Recurrent draws are taken one [batch, hidden] block per step
    /// (not one [batch, time, hidden] block as in <see cref="Forward"/>). Memory beyond the requested outputs:
    /// O(batch·hidden) plus one packed copy of W_rec (and W_out when outputs are asked for).
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
    /// <exception cref="SimulationDivergedException">The hidden state became non-finite; <see cref="SimulationDivergedException.Step"/> says when.</exception>
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

        ParameterSet p = Parameters;
        IsaTier tier = Isa.Tier;
        int threads = Gemm.MaxThreads;
        float alpha = o.Alpha;
        float[] h = initialHidden.ToArray();
        float[] u = new float[batch * nH];
        float[]? xi = recurrentStd > 0f ? new float[batch * nH] : null;
        // The weights of every step, packed into GEMM panels once for the whole run.
        var wRecT = new PackedMatrix();
        wRecT.PackTransposed(p[RecurrentWeight], nH, nH, tier);
        PackedMatrix? wOutT = null;
        if (!outputs.IsEmpty)
        {
            wOutT = new PackedMatrix();
            wOutT.PackTransposed(p[OutputWeight], nH, nOut, tier);
        }

        for (int t = 0; t < time; t++)
        {
            // u_t = W_in x_t (+ b_rec) + W_rec h_{t-1}, in the same order as Forward.
            bool started = false;
            if (!inputs.IsEmpty)
            {
                Gemm.MultiplyTransposedBStrided(inputs[(t * nIn)..], time * nIn, p[InputWeight], u, nH, batch, nH, nIn, false, tier, threads);
                started = true;
            }
            if (o.UseBias)
            {
                if (started) LayerMath.AddToRows(u, batch, p[RecurrentBias]);
                else for (int b = 0; b < batch; b++) p[RecurrentBias].CopyTo(u.AsSpan(b * nH, nH));
                started = true;
            }
            Gemm.MultiplyPacked(h, nH, false, wRecT, u, nH, batch, started, tier, threads);

            // h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + recurrentStd·xi_t
            if (xi is not null) recurrentNoise.Fill(xi);
            Fused.LeakyUpdate(h, u, xi, alpha, recurrentStd, o.Activation, h, tier);
            if (!float.IsFinite(TensorPrimitives.MaxMagnitude(h))) throw new SimulationDivergedException(t, time);

            if (!hidden.IsEmpty)
            {
                for (int b = 0; b < batch; b++) h.AsSpan(b * nH, nH).CopyTo(hidden.Slice((b * time + t) * nH, nH));
            }
            if (wOutT is not null)
            {
                // y_t = W_out h_t (+ b_out), written to rows (b, t) with stride time·output.
                Span<float> yT = outputs[(t * nOut)..];
                Gemm.MultiplyPacked(h, nH, false, wOutT, yT, time * nOut, batch, false, tier, threads);
                if (o.UseBias)
                {
                    ReadOnlySpan<float> bOut = p[OutputBias];
                    for (int b = 0; b < batch; b++)
                    {
                        Span<float> row = outputs.Slice((b * time + t) * nOut, nOut);
                        TensorPrimitives.Add(row, bOut, row);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The deterministic drift of one step from given states, phi(h, x)·Dt = alpha·(−h + act(W_rec h + W_in x (+ b_rec))),
    /// i.e. the update of <see cref="Simulate"/> without its noise (THEORY.md, "Noisy dynamics" and "Measuring the
    /// decomposition"). With empty <paramref name="inputs"/> it is the autonomous drift phi(h, 0)·Dt, the part the theory
    /// calls denoising; the difference phi(h, x)·Dt − phi(h, 0)·Dt is the input-driven (integration) part.
    /// Computed in float32 as alpha·(act(u) − h); this may differ from the float update h_t − h_{t-1} of
    /// <see cref="Forward"/> by rounding (a few ulp of h).
    /// </summary>
    /// <param name="hidden">States h, [batch, hidden] row-major; finite.</param>
    /// <param name="inputs">Inputs x, [batch, input]; or empty for zero input; finite.</param>
    /// <param name="batch">Number of states; &gt; 0.</param>
    /// <param name="drift">Receives phi(h, x)·Dt, [batch, hidden] (same unit as h, per step).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape or an input is not finite.</exception>
    public void Drift(ReadOnlySpan<float> hidden, ReadOnlySpan<float> inputs, int batch, Span<float> drift)
    {
        Guard.Positive(batch);
        var o = Options;
        int nIn = o.InputSize, nH = o.HiddenSize;
        Guard.Length(hidden.Length, (long)batch * nH, nameof(hidden), $"[batch, hidden] = [{batch}, {nH}]");
        if (!inputs.IsEmpty) Guard.Length(inputs.Length, (long)batch * nIn, nameof(inputs), $"[batch, input] = [{batch}, {nIn}] or empty");
        Guard.Length(drift.Length, (long)batch * nH, nameof(drift), $"[batch, hidden] = [{batch}, {nH}]");
        Guard.AllFinite(hidden, nameof(hidden));
        Guard.AllFinite(inputs, nameof(inputs));
        ParameterSet p = Parameters;

        // u = W_rec h (+ W_in x) (+ b_rec)
        float[] u = new float[batch * nH];
        Gemm.MultiplyTransposedB(hidden, p[RecurrentWeight], u, batch, nH, nH);
        if (!inputs.IsEmpty) Gemm.MultiplyTransposedB(inputs, p[InputWeight], u, batch, nH, nIn, accumulate: true);
        if (o.UseBias) LayerMath.AddToRows(u, batch, p[RecurrentBias]);

        // drift = alpha (act(u) − h)
        float alpha = o.Alpha;
        for (int i = 0; i < u.Length; i++) drift[i] = alpha * (FusedScalar.Activate(u[i], o.Activation) - hidden[i]);
    }
}

using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// Continuous-time gated recurrent unit with noise injection, trained by back-propagation through time (Krishna et
/// al., ICLR 2024, Sec. 4 "architectures"; reference: <c>GRU</c> in models/gru.py; fixture gru_tanh.json). Per step t,
/// with alpha = Dt / TimeConstant and x̃_t the noisy input:
/// <code>
/// h_0 = W_enc s (+ b_enc)                                   (s: initial-state code, [batch, init])
/// x̃_t = x_t + InputStd·xi_in_t
/// z_t = sigmoid(W_z x̃_t + U_z h_{t-1})                       (update gate)
/// r_t = sigmoid(W_r x̃_t + U_r h_{t-1})                       (reset gate)
/// u_t = W_h x̃_t + U_h (r_t ⊙ h_{t-1})                        (candidate pre-activation)
/// h_t = h_{t-1} + alpha (z_t - 1) ⊙ (h_{t-1} - act(u_t)) + RecurrentStd·xi_rec_t
/// y_t = W_dec h_t (+ b_dec) + OutputStd·xi_out_t
/// </code>
/// (with UseBias every linear map adds its own bias). Parameters (PyTorch <c>nn.Linear</c> layout [out, in]), in buffer
/// order: <c>encoder.weight</c> [hidden, init], <c>w_z.weight</c> [hidden, input], <c>u_z.weight</c> [hidden, hidden],
/// <c>w_r.weight</c>, <c>u_r.weight</c>, <c>w_h.weight</c>, <c>u_h.weight</c> (same shapes), <c>decoder.weight</c>
/// [output, hidden]; with <see cref="GruRnnOptions.UseBias"/> each weight is followed by its <c>.bias</c>.
/// Not thread-safe: use one instance (or one tape) per thread.
/// </summary>
public sealed class GruRnn : IRecurrentNetwork, IReadoutCell
{
    /// <summary>Checkpoint name of this cell: <c>gru</c>.</summary>
    public const string ModelKind = "gru";

    /// <summary>Name of the encoder weight W_enc, [hidden, init].</summary>
    public const string EncoderWeight = "encoder.weight";

    /// <summary>Name of the update-gate input weight W_z, [hidden, input].</summary>
    public const string UpdateInputWeight = "w_z.weight";

    /// <summary>Name of the update-gate recurrent weight U_z, [hidden, hidden].</summary>
    public const string UpdateRecurrentWeight = "u_z.weight";

    /// <summary>Name of the reset-gate input weight W_r, [hidden, input].</summary>
    public const string ResetInputWeight = "w_r.weight";

    /// <summary>Name of the reset-gate recurrent weight U_r, [hidden, hidden].</summary>
    public const string ResetRecurrentWeight = "u_r.weight";

    /// <summary>Name of the candidate input weight W_h, [hidden, input].</summary>
    public const string CandidateInputWeight = "w_h.weight";

    /// <summary>Name of the candidate recurrent weight U_h, [hidden, hidden].</summary>
    public const string CandidateRecurrentWeight = "u_h.weight";

    /// <summary>Name of the readout weight W_dec, [output, hidden].</summary>
    public const string DecoderWeight = "decoder.weight";

    private static readonly string[] LayerNames = ["encoder", "w_z", "u_z", "w_r", "u_r", "w_h", "u_h", "decoder"];

    /// <summary>Creates a model with all parameters zero.</summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="GruRnnOptions.Validate"/>).</exception>
    public GruRnn(GruRnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Parameters = new ParameterSet(Layout(options));
    }

    /// <summary>
    /// Creates a model initialised like PyTorch's <c>nn.Linear</c> default: every weight and bias of a layer with fan-in f
    /// drawn from U(-1/sqrt(f), 1/sqrt(f)) by a seeded xoshiro256** generator, in buffer order.
    /// </summary>
    /// <param name="options">Sizes and time constants; validated.</param>
    /// <param name="seed">Any 64-bit value; equal seeds give equal parameters.</param>
    /// <returns>The initialised model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static GruRnn CreateInitialized(GruRnnOptions options, ulong seed)
    {
        var model = new GruRnn(options);
        LayerMath.InitializeUniformFanIn(model.Parameters, seed, name => name[..name.IndexOf('.')] switch
        {
            "encoder" => options.InitSize,
            "w_z" or "w_r" or "w_h" => options.InputSize,
            _ => options.HiddenSize,
        });
        return model;
    }

    private static IEnumerable<(string, int[])> Layout(GruRnnOptions o)
    {
        foreach (string layer in LayerNames)
        {
            int rows = layer == "decoder" ? o.OutputSize : o.HiddenSize;
            int cols = layer switch
            {
                "encoder" => o.InitSize,
                "w_z" or "w_r" or "w_h" => o.InputSize,
                _ => o.HiddenSize,
            };
            yield return (layer + ".weight", new[] { rows, cols });
            if (o.UseBias) yield return (layer + ".bias", new[] { rows });
        }
    }

    /// <summary>Sizes and time constants (validated).</summary>
    public GruRnnOptions Options { get; }

    /// <inheritdoc />
    public string Kind => ModelKind;

    /// <inheritdoc />
    public IRecurrentNetworkOptions NetworkOptions => Options;

    /// <summary>All parameters in one contiguous buffer with named views (see the class remarks for names and shapes).</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Creates the workspace of a forward pass and its BPTT at (batch, time); reuse it for every pass of that size.</summary>
    /// <param name="batch">Trajectories per pass; &gt; 0.</param>
    /// <param name="time">Steps per trajectory; &gt; 0.</param>
    /// <returns>A new tape (about 6·batch·time·hidden floats, plus 5·batch·time·hidden more after the first backward pass).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> or <paramref name="time"/> is not positive, or a
    /// [batch, time, width] buffer would exceed <see cref="Array.MaxLength"/> elements (ParamName "batch").</exception>
    public GruTape CreateTape(int batch, int time)
    {
        NetworkOptionsChecks.TapeSize(Options, batch, time);
        return new GruTape(Options, batch, time);
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

    string IReadoutCell.ReadoutWeight => DecoderWeight;

    string? IReadoutCell.ReadoutBias => Options.UseBias ? "decoder.bias" : null;

    void IReadoutCell.CheckOwnTape(RecurrentTape tape) => CheckTape(AsOwnTape(tape));

    void IReadoutCell.ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams,
        RecurrentTape tape) => ForwardRecurrent(inputs, initState, noise, streams, AsOwnTape(tape));

    void IReadoutCell.BackwardRecurrent(RecurrentTape tape, ParameterSet gradient) => BackwardRecurrent(AsOwnTape(tape), gradient);

    private static GruTape AsOwnTape(RecurrentTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape as GruTape ?? throw new ArgumentException($"A GRU needs a {nameof(GruTape)}; got a {tape.GetType().Name}.", nameof(tape));
    }

    private void CheckTape(GruTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (tape.Options != Options) throw new ArgumentException("The tape was created for a model with other options.", nameof(tape));
    }

    /// <summary>The combined bias of a pre-activation (input map bias + recurrent map bias), or null without biases.</summary>
    private float[]? GateBias(string inputLayer, string recurrentLayer)
    {
        if (!Options.UseBias) return null;
        var sum = new float[Options.HiddenSize];
        TensorPrimitives.Add(Parameters[inputLayer + ".bias"], Parameters[recurrentLayer + ".bias"], sum);
        return sum;
    }

    /// <summary>Writes <paramref name="bias"/> into each of the first <paramref name="rows"/> rows, or zeros when it is null.</summary>
    private void FillRows(Span<float> buffer, int rows, float[]? bias)
    {
        int nH = Options.HiddenSize;
        if (bias is null)
        {
            buffer[..(rows * nH)].Clear();
            return;
        }
        for (int r = 0; r < rows; r++) bias.CopyTo(buffer.Slice(r * nH, nH));
    }

    /// <summary>
    /// Runs the GRU over a batch of trajectories and records everything BPTT needs in <paramref name="tape"/> (equations in
    /// the class remarks). For every stream whose std is &gt; 0, exactly one call draws the whole [batch, time, n] block, as for
    /// <see cref="VanillaRnn.Forward"/>: <see cref="INoiseSource.Fill"/> in row-major order for the input (n = input) and
    /// output (n = output) noise, <see cref="INoiseSource.FillRows"/> with one row of time·hidden draws per trajectory for
    /// the recurrent noise; streams with std 0 are not touched.
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
    public void Forward(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, GruTape tape)
    {
        ForwardRecurrent(inputs, initState, noise, streams, tape);
        var o = Options;
        int rows = tape.Batch * tape.Time, nH = o.HiddenSize, nOut = o.OutputSize;
        ParameterSet p = Parameters;

        // y_t = W_dec h_t (+ b_dec) + OutputStd·xi_out_t, all steps at once.
        float[] y = tape.OutputBuffer;
        Gemm.MultiplyTransposedB(tape.HiddenBuffer, p[DecoderWeight], y, rows, nOut, nH);
        if (o.UseBias) LayerMath.AddToRows(y, rows, p["decoder.bias"]);
        if (noise.OutputStd > 0f)
        {
            float[] xi = tape.OutputNoise ??= new float[rows * nOut];
            streams.Output!.Fill(xi);
            TensorPrimitives.MultiplyAdd(xi, noise.OutputStd, y, y);
        }
        tape.HasForward = true;
        tape.HasOutputs = true;
    }

    /// <summary>Everything of <see cref="Forward"/> before the readout: checks, h_0, noisy inputs, gates, the recurrence.
    /// Leaves HasForward and HasOutputs false.</summary>
    private void ForwardRecurrent(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, NoiseLevels noise, NoiseStreams streams, GruTape tape)
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

        // h_0 = W_enc s (+ b_enc)
        initState.CopyTo(tape.InitialStateBuffer);
        Gemm.MultiplyTransposedB(initState, p[EncoderWeight], tape.InitialHiddenBuffer, batch, nH, o.InitSize);
        if (o.UseBias) LayerMath.AddToRows(tape.InitialHiddenBuffer, batch, p["encoder.bias"]);

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

        // Input parts of the three pre-activations for all steps at once: X̃·Wᵀ (+ biases), [batch·time, hidden].
        float[] z = tape.UpdateGateBuffer, r = tape.ResetGateBuffer, u = tape.CandidateBuffer;
        FillRows(z, rows, GateBias("w_z", "u_z"));
        FillRows(r, rows, GateBias("w_r", "u_r"));
        FillRows(u, rows, GateBias("w_h", "u_h"));
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[UpdateInputWeight], z, rows, nH, nIn, accumulate: true);
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[ResetInputWeight], r, rows, nH, nIn, accumulate: true);
        Gemm.MultiplyTransposedB(tape.NoisyInputBuffer, p[CandidateInputWeight], u, rows, nH, nIn, accumulate: true);

        // Every step multiplies by the three recurrent weights: pack them into GEMM panels once for the whole pass.
        PackedMatrix uzT = tape.UpdateRecurrentPacked, urT = tape.ResetRecurrentPacked, uhT = tape.CandidateRecurrentPacked;
        uzT.PackTransposed(p[UpdateRecurrentWeight], nH, nH, tier);
        urT.PackTransposed(p[ResetRecurrentWeight], nH, nH, tier);
        uhT.PackTransposed(p[CandidateRecurrentWeight], nH, nH, tier);
        // The recurrence, with rows of the batch in independent parts on different cores (BatchParts).
        GruForwardRecurrence loop = tape.ForwardLoop;
        loop.Noise = recurrentNoise;
        loop.NoiseScale = noise.RecurrentStd;
        loop.RunAll(tier, threads);
    }

    /// <summary>
    /// Back-propagation through time of the last <see cref="Forward"/> recorded in <paramref name="tape"/>, using the current
    /// parameters (do not change them in between). ADDS (+=) dL/dθ for every parameter into <paramref name="gradient"/>; the
    /// caller zeroes it. Readout, input-weight and encoder gradients are batched over all steps; the recurrent part runs step
    /// by step backwards.
    /// </summary>
    /// <param name="tape">The tape of a completed forward pass of this model.</param>
    /// <param name="outputGradient">dL/dy, [batch, time, output] row-major (for the mean-squared error: 2(y - target)/count).</param>
    /// <param name="gradient">Receives the gradients; same layout as <see cref="Parameters"/> (use <c>Parameters.CloneEmpty()</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, <paramref name="outputGradient"/> is not finite, the gradient has another layout or is the model's own Parameters, or the tape has no forward pass.</exception>
    public void Backward(GruTape tape, ReadOnlySpan<float> outputGradient, ParameterSet gradient)
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

        // y_t = W_dec h_t + b_dec:  dW_dec += dYᵀ·H,  db_dec += Σ dY,  dH = dY·W_dec (readout part of dL/dh_t).
        Gemm.MultiplyTransposedA(outputGradient, tape.HiddenBuffer, gradient[DecoderWeight], nOut, nH, rows, accumulate: true);
        if (o.UseBias) LayerMath.SumRowsInPieces(outputGradient, rows, nOut, nH, gradient["decoder.bias"]);
        Gemm.Multiply(outputGradient, p[DecoderWeight], dh, rows, nH, nOut);
        BackwardRecurrent(tape, gradient);
    }

    /// <summary>BPTT below the readout, from dL/dh_t's readout part in tape.HiddenGradient: the recurrence and every
    /// recurrent, input, bias and encoder gradient (ADDED into <paramref name="gradient"/>).</summary>
    private void BackwardRecurrent(GruTape tape, ParameterSet gradient)
    {
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        int rows = batch * time;
        ParameterSet p = Parameters;
        IsaTier tier = Isa.Tier;
        int threads = Gemm.MaxThreads;
        float[] daz = tape.UpdatePreGradient ??= new float[rows * nH];
        float[] dar = tape.ResetPreGradient ??= new float[rows * nH];
        float[] du = tape.CandidateGradient ??= new float[rows * nH];
        tape.GatedGradient ??= new float[batch * nH]; // dq_t of one step, [batch, hidden], used by the backward loop
        float[] dh0 = tape.InitialHiddenGradient ??= new float[batch * nH];
        Array.Clear(dh0);

        float[] q = tape.GatedHiddenBuffer, h = tape.HiddenBuffer;
        Span<float> dUz = gradient[UpdateRecurrentWeight], dUr = gradient[ResetRecurrentWeight], dUh = gradient[CandidateRecurrentWeight];
        // dh_{t-1} and dq_t multiply by the recurrent weights at every step: pack them once for the whole pass.
        PackedMatrix uz = tape.UpdateRecurrentPacked, ur = tape.ResetRecurrentPacked, uh = tape.CandidateRecurrentPacked;
        uz.Pack(p[UpdateRecurrentWeight], nH, nH, tier);
        ur.Pack(p[ResetRecurrentWeight], nH, nH, tier);
        uh.Pack(p[CandidateRecurrentWeight], nH, nH, tier);
        // The recurrence, with rows of the batch in independent parts on different cores (BatchParts).
        tape.BackwardLoop.RunAll(tier, threads);

        // Recurrent weight gradients, each one product over batch·time rows: dU_h += Σ du_tᵀ q_t,
        // dU_z += Σ d(z pre)_tᵀ h_{t-1},  dU_r += Σ d(r pre)_tᵀ h_{t-1}.
        Gemm.MultiplyTransposedA(du, q, dUh, nH, nH, rows, accumulate: true);
        float[] aside = tape.FirstStepGradient ??= new float[batch * nH];
        BatchParts.AddPreviousStateProduct(daz, aside, h, tape.InitialHiddenBuffer, dUz, batch, time, nH, tier, threads);
        BatchParts.AddPreviousStateProduct(dar, aside, h, tape.InitialHiddenBuffer, dUr, batch, time, nH, tier, threads);

        // Input weights (all steps at once): dW_z += d(z pre)ᵀ·X̃, dW_r += d(r pre)ᵀ·X̃, dW_h += dUᵀ·X̃.
        Gemm.MultiplyTransposedA(daz, tape.NoisyInputBuffer, gradient[UpdateInputWeight], nH, nIn, rows, accumulate: true);
        Gemm.MultiplyTransposedA(dar, tape.NoisyInputBuffer, gradient[ResetInputWeight], nH, nIn, rows, accumulate: true);
        Gemm.MultiplyTransposedA(du, tape.NoisyInputBuffer, gradient[CandidateInputWeight], nH, nIn, rows, accumulate: true);
        if (o.UseBias)
        {
            // Each pre-activation carries two biases (input map and recurrent map); both receive the same gradient.
            LayerMath.SumRows(daz, rows, gradient["w_z.bias"]);
            LayerMath.SumRows(daz, rows, gradient["u_z.bias"]);
            LayerMath.SumRows(dar, rows, gradient["w_r.bias"]);
            LayerMath.SumRows(dar, rows, gradient["u_r.bias"]);
            LayerMath.SumRows(du, rows, gradient["w_h.bias"]);
            LayerMath.SumRows(du, rows, gradient["u_h.bias"]);
            LayerMath.SumRows(dh0, batch, gradient["encoder.bias"]);
        }

        // h_0 = W_enc s (+ b_enc):  dW_enc += dh_0ᵀ·s
        Gemm.MultiplyTransposedA(dh0, tape.InitialStateBuffer, gradient[EncoderWeight], nH, o.InitSize, batch, accumulate: true);
    }

    /// <summary>
    /// One training pass in one call: <see cref="Forward"/>, the mean-squared error of the readouts against
    /// <paramref name="targets"/> (<see cref="Training.MseLoss.Compute"/>) and <see cref="Backward"/> with dL/dy =
    /// 2(y - target)/count. When the decoder's weight gradient is deep enough to be cut into pieces (batch·time of at least
    /// 4096 rows, with fewer than 4096 outputs and hidden units) the readout, the loss and the readout's back-propagation run block by block of 256 rows in cache and the
    /// [batch, time, output] outputs and their gradient are never written; otherwise the three separate calls run. Either
    /// way the gradient, dL/dh and the noise draws are the same bits as the separate calls, and so is the loss when the
    /// output count is a multiple of 16 (otherwise it differs in rounding only). Afterwards the tape holds the hidden states
    /// but not the outputs (<see cref="RecurrentTape.HasOutputs"/> is false when the fused path ran).
    /// </summary>
    /// <param name="inputs">x, [batch, time, input] row-major; finite.</param>
    /// <param name="initState">Initial-state code s, [batch, init]; finite.</param>
    /// <param name="targets">Target codes, [batch, time, output] row-major.</param>
    /// <param name="noise">Per-step stds of the input, recurrent and output noise.</param>
    /// <param name="streams">Raw draws for the three noise sites, drawn exactly as by <see cref="Forward"/>.</param>
    /// <param name="tape">A tape from <see cref="CreateTape"/>; its Batch and Time give the sizes.</param>
    /// <param name="gradient">Receives dL/dθ ADDED (+=) to what it holds (the caller zeroes it); the parameter layout.</param>
    /// <returns>mean((y - target)²) over [batch, time, output]; not finite when the readout overflowed or became NaN, and then
    /// <paramref name="gradient"/> is left as it was.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A span length differs from its shape, an input is not finite, the tape belongs to
    /// other options, a stream needed by a positive std is null, the gradient has another layout or is the model's own Parameters, or a target is not finite
    /// (checked only when the loss is not finite; ParamName "targets").</exception>
    /// <exception cref="InvalidOperationException">A replayed noise stream ran out of draws.</exception>
    public double ForwardBackwardMse(ReadOnlySpan<float> inputs, ReadOnlySpan<float> initState, ReadOnlySpan<float> targets, NoiseLevels noise,
        NoiseStreams streams, GruTape tape, ParameterSet gradient) =>
        TrainingPass.Run(this, inputs, initState, targets, null, noise, streams, tape, gradient);

    /// <summary>
    /// <see cref="ForwardBackwardMse(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, NoiseLevels, NoiseStreams, GruTape, ParameterSet)"/>
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
        NoiseStreams streams, GruTape tape, ParameterSet gradient)
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
        Gemm.MultiplyTransposedB(initState, Parameters[EncoderWeight], hidden, batch, Options.HiddenSize, Options.InitSize);
        if (Options.UseBias) LayerMath.AddToRows(hidden, batch, Parameters["encoder.bias"]);
    }

    /// <summary>
    /// Runs the GRU from given hidden states without a tape (inference, quiescence): the equations of the class remarks with
    /// x̃_t = x_t (no input noise) and no output noise. Recurrent draws are taken one [batch, hidden] block per step. Memory
    /// beyond the requested outputs: O(batch·hidden) plus transposed copies of U_z, U_r, U_h (and W_dec when outputs are asked for).
    /// </summary>
    /// <param name="initialHidden">h_0, [batch, hidden]; finite.</param>
    /// <param name="inputs">x, [batch, time, input]; or empty for zero input (quiescence); finite.</param>
    /// <param name="batch">Trajectories; &gt; 0.</param>
    /// <param name="time">Steps; &gt; 0.</param>
    /// <param name="recurrentStd">Per-step std of the recurrent noise; finite and &gt;= 0.</param>
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
        float[] z = new float[batch * nH], r = new float[batch * nH], u = new float[batch * nH], q = new float[batch * nH];
        float[]? xi = recurrentStd > 0f ? new float[batch * nH] : null;
        // The weights of every step, packed into GEMM panels once for the whole run.
        PackedMatrix uzT = new(), urT = new(), uhT = new();
        uzT.PackTransposed(p[UpdateRecurrentWeight], nH, nH, tier);
        urT.PackTransposed(p[ResetRecurrentWeight], nH, nH, tier);
        uhT.PackTransposed(p[CandidateRecurrentWeight], nH, nH, tier);
        PackedMatrix? wDecT = null;
        if (!outputs.IsEmpty)
        {
            wDecT = new PackedMatrix();
            wDecT.PackTransposed(p[DecoderWeight], nH, nOut, tier);
        }

        float[]? bz = GateBias("w_z", "u_z"), br = GateBias("w_r", "u_r"), bh = GateBias("w_h", "u_h");
        for (int t = 0; t < time; t++)
        {
            FillRows(z, batch, bz);
            FillRows(r, batch, br);
            FillRows(u, batch, bh);
            if (!inputs.IsEmpty)
            {
                ReadOnlySpan<float> xT = inputs[(t * nIn)..];
                Gemm.MultiplyTransposedBStrided(xT, time * nIn, p[UpdateInputWeight], z, nH, batch, nH, nIn, true, tier, threads);
                Gemm.MultiplyTransposedBStrided(xT, time * nIn, p[ResetInputWeight], r, nH, batch, nH, nIn, true, tier, threads);
                Gemm.MultiplyTransposedBStrided(xT, time * nIn, p[CandidateInputWeight], u, nH, batch, nH, nIn, true, tier, threads);
            }
            Gemm.MultiplyPacked(h, nH, false, uzT, z, nH, batch, true, tier, threads);
            Gemm.MultiplyPacked(h, nH, false, urT, r, nH, batch, true, tier, threads);
            TensorPrimitives.Sigmoid(z, z);
            TensorPrimitives.Sigmoid(r, r);
            TensorPrimitives.Multiply(r, h, q);
            Gemm.MultiplyPacked(q, nH, false, uhT, u, nH, batch, true, tier, threads);

            if (xi is not null) recurrentNoise.Fill(xi);
            FusedGru.Update(h, z, u, xi, alpha, recurrentStd, o.Activation, h, tier);
            if (!float.IsFinite(TensorPrimitives.MaxMagnitude(h))) throw new SimulationDivergedException(t, time);

            if (!hidden.IsEmpty)
            {
                for (int b = 0; b < batch; b++) h.AsSpan(b * nH, nH).CopyTo(hidden.Slice((b * time + t) * nH, nH));
            }
            if (wDecT is not null)
            {
                Span<float> yT = outputs[(t * nOut)..];
                Gemm.MultiplyPacked(h, nH, false, wDecT, yT, time * nOut, batch, false, tier, threads);
                if (o.UseBias)
                {
                    ReadOnlySpan<float> bOut = p["decoder.bias"];
                    for (int b = 0; b < batch; b++)
                    {
                        Span<float> row = outputs.Slice((b * time + t) * nOut, nOut);
                        TensorPrimitives.Add(row, bOut, row);
                    }
                }
            }
        }
    }
}

using System.Numerics.Tensors;
using NoisyRnn.Kernels;
using NoisyRnn.Noise;

namespace NoisyRnn.Models;

/// <summary>
/// Continuous-time (leaky) vanilla RNN with noise injection, trained by back-propagation through time
/// (Krishna et al., ICLR 2024; reference: <c>RNN</c> in RNNReactivation; THEORY.md, "Noisy dynamics").
/// Per step t, with alpha = Dt / TimeConstant:
/// <code>
/// h_0 = W_enc s (+ b_enc)                         (s: initial-state code, [batch, init])
/// x̃_t = x_t + InputStd·xi_in_t
/// u_t = W_rec h_{t-1} + W_in x̃_t (+ b_rec) (+ b_in)
/// h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + RecurrentStd·xi_rec_t
/// y_t = W_out h_t (+ b_out) + OutputStd·xi_out_t
/// </code>
/// Parameters (PyTorch <c>nn.Linear</c> layout [out, in], y = x·Wᵀ), in buffer order: <c>encoder.weight</c> [hidden, init],
/// <c>encoder.bias</c> [hidden] (b_enc), <c>w_in.weight</c> [hidden, input], <c>w_in.bias</c> [hidden] (b_in),
/// <c>w_rec.weight</c> [hidden, hidden], <c>w_rec.bias</c> [hidden] (the recurrent pre-activation bias b_rec),
/// <c>w_out.weight</c> [output, hidden], <c>w_out.bias</c> [output] (b_out). The biases exist only with
/// <see cref="VanillaRnnOptions.UseBias"/>: b_rec and b_out in the default <see cref="VanillaBiasLayout.RecurrentReadout"/>,
/// all four with <see cref="VanillaBiasLayout.AllLayers"/> (the reference's <c>bias=True</c>, the order of its
/// <c>state_dict</c>). The noise streams give raw draws; the model multiplies them by the stds.
/// With <see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/> set (adaptation b, τ_a; momentum M), the step becomes, with a_{-1} = w_{-1} = 0 and
/// s = RecurrentStd:
/// <code>
/// u_t = W_rec h_{t-1} + W_in x̃_t (+ b_rec) (+ b_in) − a_{t-1}
/// phi_t = alpha (act(u_t) − h_{t-1})
/// w_t = M w_{t-1} + (1 + M) phi_t + √(1 − M²) s xi_rec_t,   h_t = h_{t-1} + w_t
/// a_t = a_{t-1} (1 − 1/τ_a) + (b/τ_a) h_t
/// </code>
/// and back-propagation through time goes through a and w (M = b = 0 is the step above).
/// Not thread-safe: use one instance (or one tape) per thread.
/// </summary>
public sealed class VanillaRnn : RecurrentNetwork<VanillaRnnOptions, VanillaTape>
{
    /// <summary>Name of the encoder weight W_enc, [hidden, init].</summary>
    public const string EncoderWeight = "encoder.weight";

    /// <summary>Name of the encoder bias b_enc, [hidden] (only with UseBias and <see cref="VanillaBiasLayout.AllLayers"/>).</summary>
    public const string EncoderBias = "encoder.bias";

    /// <summary>Name of the input weight W_in, [hidden, input].</summary>
    public const string InputWeight = "w_in.weight";

    /// <summary>Name of the input bias b_in, [hidden], added to the pre-activation beside b_rec (only with UseBias and
    /// <see cref="VanillaBiasLayout.AllLayers"/>).</summary>
    public const string InputBias = "w_in.bias";

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
        : base(options, Layout)
    {
    }

    /// <summary>
    /// Creates a model initialised like PyTorch's <c>nn.Linear</c> default: every weight (and bias) of a layer with fan-in
    /// f drawn from U(-1/sqrt(f), 1/sqrt(f)), from a seeded xoshiro256** generator in buffer order (so a layout with more
    /// biases draws other values for the weights that follow them).
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
            EncoderWeight or EncoderBias => options.InitSize,
            InputWeight or InputBias => options.InputSize,
            _ => options.HiddenSize, // w_rec.*, w_out.*
        });
        return model;
    }

    private static IEnumerable<(string, int[])> Layout(VanillaRnnOptions o)
    {
        yield return (EncoderWeight, new[] { o.HiddenSize, o.InitSize });
        if (o.HasAllLayerBiases) yield return (EncoderBias, new[] { o.HiddenSize });
        yield return (InputWeight, new[] { o.HiddenSize, o.InputSize });
        if (o.HasAllLayerBiases) yield return (InputBias, new[] { o.HiddenSize });
        yield return (RecurrentWeight, new[] { o.HiddenSize, o.HiddenSize });
        if (o.UseBias) yield return (RecurrentBias, new[] { o.HiddenSize });
        yield return (OutputWeight, new[] { o.OutputSize, o.HiddenSize });
        if (o.UseBias) yield return (OutputBias, new[] { o.OutputSize });
    }

    /// <summary>The vanilla cell trains with <see cref="RecurrentNetwork{TOptions, TTape}.Dynamics"/> (the modified step of the
    /// class remarks).</summary>
    private protected override bool TrainsWithDynamics => true;

    /// <summary>Checkpoint name of this cell: <c>vanilla</c>.</summary>
    public const string ModelKind = "vanilla";

    /// <inheritdoc />
    public override string Kind => ModelKind;

    private protected override string? EncoderBiasName => Options.HasAllLayerBiases ? EncoderBias : null;

    private protected override string ReadoutWeightName => OutputWeight;

    private protected override string? ReadoutBiasName => Options.UseBias ? OutputBias : null;

    private protected override VanillaTape NewTape(int batch, int time) => new(Options, batch, time);

    private protected override void ForwardSteps(VanillaTape tape, float[]? noise, float noiseStd, IsaTier tier, int threads)
    {
        // u_t needs h_{t-1}·W_recᵀ at every step: pack W_rec into GEMM panels once for the whole pass.
        tape.RecurrentWeightPacked.PackTransposed(Parameters[RecurrentWeight], Options.HiddenSize, Options.HiddenSize, tier);
        // For t = 0 .. time - 1: u_t += W_rec h_{t-1}, then h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + RecurrentStd·xi_rec_t;
        // rows of the batch are independent, so parts of the batch run the whole loop on different cores.
        // Each part first computes the input part of u_t for its rows and all steps, U = X̃·W_inᵀ (+ b_rec) (on all cores;
        // the same arithmetic per element as one product over batch·time rows).
        VanillaForwardRecurrence loop = tape.ForwardLoop;
        loop.Parameters = Parameters;
        loop.Bias = PreActivationBias(ref tape.PreActivationBiasBuffer);
        loop.Noise = noise;
        loop.NoiseScale = noiseStd;
        loop.RunAll(tier, threads);
    }

    /// <summary>
    /// The bias of the pre-activation u_t: none (empty) without UseBias, b_rec (a view of the parameters) in the default layout,
    /// b_in + b_rec (written into <paramref name="sum"/>, allocated on first use) with <see cref="VanillaBiasLayout.AllLayers"/>.
    /// Every path that forms u (the forward loop, <see cref="RecurrentNetwork{TOptions, TTape}.Simulate"/>'s step, <see cref="Drift"/>) adds this one vector,
    /// so they agree bit for bit.
    /// </summary>
    private ReadOnlyMemory<float> PreActivationBias(ref float[]? sum)
    {
        var o = Options;
        if (!o.UseBias) return ReadOnlyMemory<float>.Empty;
        ParameterView rec = Parameters.GetView(RecurrentBias);
        ReadOnlyMemory<float> bRec = Parameters.Values.AsMemory(rec.Offset, rec.Length);
        if (!o.HasAllLayerBiases) return bRec;
        // u = W_rec h + b_rec + W_in x̃ + b_in: the two biases always appear summed.
        sum ??= new float[o.HiddenSize];
        TensorPrimitives.Add(Parameters[InputBias], bRec.Span, sum);
        return sum;
    }

    /// <summary>BPTT below the readout, from dL/dh_t's readout part in tape.HiddenGradient: the recurrence, dW_rec, dW_in,
    /// db_rec (and db_in, the same sum) and dL/dh_0 (ADDED into <paramref name="gradient"/>).</summary>
    private protected override void BackwardSteps(VanillaTape tape, ParameterSet gradient, IsaTier tier, int threads)
    {
        var o = Options;
        int batch = tape.Batch, time = tape.Time, nIn = o.InputSize, nH = o.HiddenSize;
        int rows = batch * time;
        ParameterSet p = Parameters;
        float[] du = tape.PreActivationGradient ??= new float[rows * nH];
        tape.InitialHiddenGradient ??= new float[batch * nH];

        float[] h = tape.HiddenBuffer;
        Span<float> dWrec = gradient[RecurrentWeight];
        // dh_{t-1} needs du_t·W_rec at every step: pack W_rec once for the whole pass.
        tape.RecurrentWeightPacked.Pack(p[RecurrentWeight], nH, nH, tier);
        // For s = time - 1 .. 0: du_s = dh_s · alpha · act'(u_s), dh_{s-1} += (1 - alpha) dh_s + du_s·W_rec; parts of the
        // batch run the whole loop on different cores (rows are independent here).
        VanillaBackwardRecurrence loop = tape.BackwardLoop;
        // dW_in and db_rec of narrow inputs (velocities, angular velocity) are summed inside the loop; see below otherwise.
        bool fuseInputs = nIn <= VanillaBackwardRecurrence.MaxFusedInputs;
        loop.InputPartials = fuseInputs ? tape.InputGradientPartials ??= new float[loop.PartialsLength] : null;
        loop.RunAll(tier, threads);
        // u_t = ... + b_rec (+ b_in): db_rec (and db_in) += Σ du. With both biases the sum is formed once from zero and
        // added to each; alone, it is added into db_rec directly (as before the layout option, so the same bits).
        Span<float> biasSum = !o.UseBias ? default
            : o.HasAllLayerBiases ? (tape.PreActivationBiasGradient ??= new float[nH])
            : gradient[RecurrentBias];
        if (o.HasAllLayerBiases) biasSum.Clear();
        if (fuseInputs) loop.AddInputGradients(gradient[InputWeight], biasSum);

        // u_t = W_rec h_{t-1} + ...:  dW_rec += Σ_{b,t} du_t[b]ᵀ h_{t-1}[b], as one product over batch·time rows.
        float[] du0 = tape.FirstStepGradient ??= new float[batch * nH];
        BatchParts.AddPreviousStateProduct(du, du0, h, tape.InitialHiddenBuffer, dWrec, batch, time, nH, tier, threads);

        if (!fuseInputs)
        {
            // u_t = ... + W_in x̃_t + b_rec:  dW_in += dUᵀ·X̃,  db_rec += Σ dU  (all steps at once).
            Gemm.MultiplyTransposedA(du, tape.NoisyInputBuffer, gradient[InputWeight], nH, nIn, rows, accumulate: true);
            if (o.UseBias) LayerMath.SumRows(du, rows, biasSum);
        }
        if (o.HasAllLayerBiases)
        {
            // u_t = W_rec h_{t-1} + b_rec + W_in x̃_t + b_in: d/db_rec = d/db_in = Σ du.
            TensorPrimitives.Add(gradient[RecurrentBias], biasSum, gradient[RecurrentBias]);
            TensorPrimitives.Add(gradient[InputBias], biasSum, gradient[InputBias]);
        }
    }

    private protected override SimulationStep CreateStep(int batch, IsaTier tier) => new Step(this, batch, tier);

    /// <summary>u_t = W_in x_t (+ b, the pre-activation bias) + W_rec h_{t-1}, in the same order as Forward (minus the
    /// adaptation a_t when set, <see cref="DynamicsModifiers"/>); then h_t = (1 - alpha) h_{t-1} + alpha act(u_t) + s·xi_t
    /// with alpha = <see cref="SimulationStep.Leak"/> (the cell's own unless overridden).</summary>
    private sealed class Step : SimulationStep
    {
        private readonly VanillaRnn _model;
        private readonly float[] _u;
        private readonly PackedMatrix _wRecT = new();
        private readonly ReadOnlyMemory<float> _bias;

        public Step(VanillaRnn model, int batch, IsaTier tier)
        {
            _model = model;
            int nH = model.Options.HiddenSize;
            _u = new float[batch * nH];
            _wRecT.PackTransposed(model.Parameters[RecurrentWeight], nH, nH, tier);
            float[]? sum = null;
            _bias = model.PreActivationBias(ref sum);
            Leak = model.Options.Alpha;
        }

        public override bool SupportsAdaptation => true;

        public override void Advance(float[] h, ReadOnlySpan<float> inputs, int inputStride, float[]? noise, float noiseStd, IsaTier tier, int threads)
        {
            var o = _model.Options;
            ParameterSet p = _model.Parameters;
            int nIn = o.InputSize, nH = o.HiddenSize, batch = h.Length / nH;
            float[] u = _u;
            bool started = false;
            if (!inputs.IsEmpty)
            {
                Gemm.MultiplyTransposedBStrided(inputs, inputStride, p[InputWeight], u, nH, batch, nH, nIn, false, tier, threads);
                started = true;
            }
            if (!_bias.IsEmpty)
            {
                ReadOnlySpan<float> bias = _bias.Span;
                if (started) LayerMath.AddToRows(u, batch, bias);
                else for (int b = 0; b < batch; b++) bias.CopyTo(u.AsSpan(b * nH, nH));
                started = true;
            }
            Gemm.MultiplyPacked(h, nH, false, _wRecT, u, nH, batch, started, tier, threads);
            Update(h, u, Adaptation, noise, noiseStd, tier);
        }

        public override bool SupportsRows => true;

        public override void AdvanceRows(float[] hidden, int start, int end, ReadOnlySpan<float> noise, float noiseStd, IsaTier tier)
        {
            int nH = _model.Options.HiddenSize, rows = end - start;
            Span<float> h = hidden.AsSpan(start * nH, rows * nH), u = _u.AsSpan(start * nH, rows * nH);
            // u = (b) + W_rec h, as Advance with zero input.
            if (!_bias.IsEmpty)
            {
                for (int b = 0; b < rows; b++) _bias.Span.CopyTo(u.Slice(b * nH, nH));
            }
            Gemm.MultiplyPacked(h, nH, false, _wRecT, u, nH, rows, !_bias.IsEmpty, tier, 1);
            Update(h, u, Adaptation is { } a ? a.AsSpan(start * nH, rows * nH) : default, noise, noiseStd, tier);
        }

        /// <summary>u −= a (when adaptation is on); h = (1 − alpha) h + alpha act(u) + s·xi.</summary>
        private void Update(Span<float> h, Span<float> u, ReadOnlySpan<float> adaptation, ReadOnlySpan<float> noise, float noiseStd, IsaTier tier)
        {
            if (!adaptation.IsEmpty) TensorPrimitives.Subtract(u, adaptation, u);
            Fused.LeakyUpdate(h, u, noise, Leak!.Value, noiseStd, _model.Options.Activation, h, tier);
        }
    }

    /// <summary>
    /// The deterministic drift of one step from given states, phi(h, x)·Dt = alpha·(−h + act(W_rec h + W_in x (+ b_rec + b_in))),
    /// i.e. the update of <see cref="RecurrentNetwork{TOptions, TTape}.Simulate"/> without its noise (THEORY.md, "Noisy dynamics" and "Measuring the
    /// decomposition"). With empty <paramref name="inputs"/> it is the autonomous drift phi(h, 0)·Dt, the part the theory
    /// calls denoising; the difference phi(h, x)·Dt − phi(h, 0)·Dt is the input-driven (integration) part.
    /// Computed in float32 as alpha·(act(u) − h); this may differ from the float update h_t − h_{t-1} of
    /// <see cref="RecurrentNetwork{TOptions, TTape}.Forward"/> by rounding (a few ulp of h).
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

        // u = W_rec h (+ W_in x) (+ b_rec + b_in)
        float[] u = new float[batch * nH];
        Gemm.MultiplyTransposedB(hidden, p[RecurrentWeight], u, batch, nH, nH);
        if (!inputs.IsEmpty) Gemm.MultiplyTransposedB(inputs, p[InputWeight], u, batch, nH, nIn, accumulate: true);
        float[]? sum = null;
        ReadOnlyMemory<float> bias = PreActivationBias(ref sum);
        if (!bias.IsEmpty) LayerMath.AddToRows(u, batch, bias.Span);

        // drift = alpha (act(u) − h)
        float alpha = o.Alpha;
        for (int i = 0; i < u.Length; i++) drift[i] = alpha * (FusedScalar.Activate(u[i], o.Activation) - hidden[i]);
    }
}
